package org.meg.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link FusedKernels} as ND4J ops: the fallback for a JVM without the Vector API module. */
final class Nd4jKernels extends FusedKernels {
    static final Nd4jKernels INSTANCE = new Nd4jKernels();

    private Nd4jKernels() {
    }

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public void softmaxRows(INDArray x) {
        requireRowMajor(x, "softmaxRows");
        Nd4j.exec(new SoftMax(x, x, 1));
    }

    @Override
    public INDArray geglu(INDArray projected) {
        requireRowMajor(projected, "geglu");
        long inner = projected.size(1) / 2;
        INDArray value = projected.get(NDArrayIndex.all(), NDArrayIndex.interval(0, inner));
        INDArray gate = projected.get(NDArrayIndex.all(), NDArrayIndex.interval(inner, 2 * inner));
        return Activations.gelu(gate).muli(value);
    }
}
