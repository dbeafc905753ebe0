package org.meg.testing;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Locates golden data under src/test/resources and compares tensors with a stated tolerance. */
public final class Reference {
    private Reference() {
    }

    /** A test resource as a file path, e.g. {@code reference/sd-tiny/outputs/ddim.safetensors}. */
    public static Path resource(String relative) {
        URL url = Reference.class.getClassLoader().getResource(relative);
        if (url == null) {
            throw new IllegalStateException("test resource not found: " + relative);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tiny-sd reference folder. */
    public static Path sdTiny(String relative) {
        return resource("reference/sd-tiny/" + relative);
    }

    /** Largest absolute elementwise difference; shapes must be equal. */
    public static double maxAbsDiff(INDArray a, INDArray b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("shape " + java.util.Arrays.toString(a.shape()) + " != "
                    + java.util.Arrays.toString(b.shape()));
        }
        return Transforms.abs(a.castTo(b.dataType()).sub(b), false).maxNumber().doubleValue();
    }

    /** Asserts max |a - b| &lt;= tol, naming the quantity in the failure message. */
    public static void assertClose(String what, INDArray expected, INDArray actual, double tol) {
        double d = maxAbsDiff(expected, actual);
        if (!(d <= tol)) {
            throw new AssertionError(what + ": max abs diff " + d + " > tolerance " + tol);
        }
    }
}
