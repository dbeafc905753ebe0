package org.meg.bench;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's attainable fp32 peak as ND4J reaches it: a square sgemm {@code C = A B} (OpenBLAS)
 * into a preallocated C. Its GFLOP/s is the "peak" every other result is a percentage of.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class Sgemm {
    /** Matrix side. */
    @Param({"2048"})
    public int n;

    private INDArray a;
    private INDArray b;
    private INDArray c;

    /** Random A, B and an empty C. */
    @Setup
    public void setUp() {
        a = Nd4j.rand(DataType.FLOAT, n, n);
        b = Nd4j.rand(DataType.FLOAT, n, n);
        c = Nd4j.create(DataType.FLOAT, n, n);
    }

    /** C = A B. */
    @Benchmark
    public INDArray gemm() {
        return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
    }

    /** 2 n^3. */
    static double flops(int n) {
        return Flops.gemm(n, n, n);
    }
}
