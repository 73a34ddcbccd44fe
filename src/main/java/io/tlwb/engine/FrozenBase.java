package io.tlwb.engine;

import java.lang.ref.Cleaner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The engine: the frozen part of a graph, up to a cut layer, compiled once ({@link BaseProgram}: batch norms folded,
 * activations and residual adds fused) and run as oneDNN plans, one per batch and image size, built on first use
 * and kept. Equal to the DL4J graph it came from to float rounding (tested on every weight source). An instance is
 * for one thread at a time; {@link #newInstance()} gives another thread its own plans over the same compiled weights.
 */
public final class FrozenBase {

    /** How many (batch, size) plans an instance keeps: the full batch, the last partial one and a spare. */
    private static final int PLANS_KEPT = 3;
    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile int threads = defaultThreads();

    private final BaseProgram program;
    private final Plans plans = new Plans();

    private FrozenBase(BaseProgram program) {
        this.program = program;
        CLEANER.register(this, plans);
    }

    /**
     * Compiles the part of {@code graph} that {@code cutLayer} depends on (a saved transfer model's base, wrapped
     * frozen, compiles too).
     *
     * @throws CannotCompile naming the vertex when the graph holds something the engine cannot run exactly
     */
    public static FrozenBase compile(ComputationGraph graph, String cutLayer) {
        return new FrozenBase(BaseProgram.compile(graph, cutLayer));
    }

    /** Another instance over the same compiled weights, for another thread. */
    public FrozenBase newInstance() {
        return new FrozenBase(program);
    }

    /** Threads a plan runs on: {@code OMP_NUM_THREADS} when set, else every core the JVM sees. */
    private static int defaultThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        try {
            if (env != null && Integer.parseInt(env.trim()) > 0) {
                return Integer.parseInt(env.trim());
            }
        } catch (NumberFormatException e) {
            // OpenMP ignores a malformed value too
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** The threads plans run on from now on (the CLI's {@code --threads}); plans are rebuilt for a new count. */
    public static void useThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + count);
        }
        threads = count;
    }

    /** The threads plans run on. */
    public static int threads() {
        return threads;
    }

    /** The engine's name, as recorded in run configs and model cards: "oneDNN 2.5.2 plan". */
    public static String engineName() {
        return Dnnl.version() + " plan";
    }

    /** What was compiled, e.g. "52 convolutions (52 batch norms folded, 35 activations and 10 adds fused)". */
    public String description() {
        return program.description();
    }

    /** Channels of the cut layer: the length of a pooled feature vector. */
    public int outputChannels() {
        return program.outputChannels();
    }

    /** Multiply-accumulates per image at {@code size x size} input, counted from the convolutions. */
    public long macsPerImage(int size) {
        return program.macsPerImage(size, size);
    }

    /** Pooled features {@code [b, channels]} of an NHWC batch {@code [b, h, w, 3]}. */
    public synchronized INDArray pooled(INDArray nhwc) {
        return run(nhwc, true);
    }

    /** The cut layer's activation maps in NHWC order, one flattened row per image: {@code [b, h * w * channels]}. */
    public synchronized INDArray maps(INDArray nhwc) {
        return run(nhwc, false);
    }

    /** The kernel oneDNN chose for every primitive of the plan for {@code batch} images of {@code size} px. */
    public synchronized List<String> implementations(int batch, int size) {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        return plans.get(program, batch, size, size, threads).implementations();
    }

    private INDArray run(INDArray nhwc, boolean pooled) {
        if (nhwc.rank() != 4 || nhwc.size(3) != 3) {
            throw new IllegalArgumentException("expected an NHWC batch [b, h, w, 3], got "
                    + java.util.Arrays.toString(nhwc.shape()));
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            boolean direct = nhwc.dataType() == DataType.FLOAT && nhwc.ordering() == 'c' && !nhwc.isView();
            INDArray input = direct ? nhwc : nhwc.castTo(DataType.FLOAT).dup('c');
            int count = threads;
            // OpenMP's thread count is per calling thread: set it on this one before planning or running
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(count);
            DnnlPlan plan = plans.get(program, input.size(0), input.size(1), input.size(2), count);
            long[] maps = plan.outputShape();
            INDArray out = pooled ? Nd4j.createUninitialized(DataType.FLOAT, input.size(0), maps[0])
                    : Nd4j.createUninitialized(DataType.FLOAT, input.size(0), maps[1] * maps[2] * maps[0]);
            plan.run(input.data().addressPointer(), out.data().addressPointer(), pooled);
            if (input != nhwc) {
                input.close();
            }
            return out;
        }
    }

    /** The plans of one instance, least recently used first; closing it (or the cleaner) frees their natives. */
    private static final class Plans implements Runnable {
        private final Map<List<Long>, DnnlPlan> byShape = new LinkedHashMap<>(8, 0.75f, true);

        DnnlPlan get(BaseProgram program, long batch, long h, long w, int threads) {
            List<Long> key = List.of(batch, h, w, (long) threads);
            DnnlPlan plan = byShape.get(key);
            if (plan == null) {
                plan = new DnnlPlan(program, batch, h, w);
                byShape.put(key, plan);
                if (byShape.size() > PLANS_KEPT) {
                    var eldest = byShape.entrySet().iterator().next();
                    eldest.getValue().close();
                    byShape.remove(eldest.getKey());
                }
            }
            return plan;
        }

        @Override
        public void run() {
            byShape.values().forEach(DnnlPlan::close);
            byShape.clear();
        }
    }
}
