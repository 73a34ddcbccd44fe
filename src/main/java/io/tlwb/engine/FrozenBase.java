package io.tlwb.engine;

import io.tlwb.OpenMpThreads;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The engine: the frozen part of a graph, up to a cut layer, compiled once ({@link BaseProgram}: batch norms folded,
 * activations and residual adds fused) and run as oneDNN plans built on first use for each batch and image size and
 * kept. Equal to the DL4J graph it came from to float rounding (tested on every weight source).
 *
 * <p>How the cores are used, measured on 2 AVX-512 cores, always with single-threaded oneDNN primitives (OpenMP's
 * synchronization after every layer cost 1.2-1.4x in throughput):
 * <ul>
 *   <li>a batch is cut into chunks of {@value #CHUNK} images (of one, when that leaves a core idle: a batch of two
 *       is two chunks) that one plan per core takes in turn, each writing its rows straight into the output; they
 *       balance themselves when another process takes a core;</li>
 *   <li>a single image is split by rows over every core ({@link RowSplitPlan}; the lowest latency on a quiet
 *       machine), or runs on one core when other processes hold the others ({@link SingleImageThreads} chooses).</li>
 * </ul>
 *
 * <p>An instance is for one thread at a time ({@link #newInstance()} gives another thread its own plans over the same
 * compiled weights); its worker threads and native memory are freed when it is garbage-collected.
 */
public final class FrozenBase implements AutoCloseable {

    /** Images per single-threaded plan run: per-image throughput was flat from 1 to 8 here; 2 balances well. */
    static final int CHUNK = 2;
    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile int threads = defaultThreads();

    private final BaseProgram program;
    private final Workers workers = new Workers();
    private final SingleImageThreads singleImage = new SingleImageThreads();
    private final Cleaner.Cleanable release;

    private FrozenBase(BaseProgram program) {
        this.program = program;
        this.release = CLEANER.register(this, workers);
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

    /**
     * As {@link #compile(ComputationGraph, String)}, also reading out the activation maps of {@code sideLayer} (a
     * layer the cut depends on) in the same pass, for {@link #pooledWithSideMaps}: fine-tuning's maps and the head's
     * pooled features from one run of the base.
     *
     * @throws CannotCompile also when the side layer cannot be kept as it is on the way to the cut (it is not on that
     *                       way, or a fused post-op or in-place add would change it): run two engines then
     */
    public static FrozenBase compile(ComputationGraph graph, String cutLayer, String sideLayer) {
        return new FrozenBase(BaseProgram.compile(graph, cutLayer, sideLayer));
    }

    /** Another instance over the same compiled weights, for another thread. */
    public FrozenBase newInstance() {
        return new FrozenBase(program);
    }

    /**
     * Frees this instance's plans, reordered weights and worker threads now rather than when it becomes unreachable
     * (a plan holds its activation buffers: 10-90 MB at width 1.4). Other instances of the same program are not
     * touched. Idempotent; the instance must not run afterwards.
     */
    @Override
    public void close() {
        release.clean();
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

    /** The cores the engine uses from now on (the CLI's {@code --threads}). */
    public static void useThreads(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + count);
        }
        threads = count;
    }

    /** The cores the engine uses. */
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

    /** Multiply-accumulates per image at {@code size x size} input, counted from the convolutions. */
    public long macsPerImage(int size) {
        return program.macsPerImage(size, size);
    }

    /** Pooled features {@code [b, channels]} of an NHWC batch {@code [b, h, w, 3]}. */
    public synchronized INDArray pooled(INDArray nhwc) {
        return run(nhwc, true, false)[0];
    }

    /** The cut layer's activation maps in NHWC order, one flattened row per image: {@code [b, h * w * channels]}. */
    public synchronized INDArray maps(INDArray nhwc) {
        return run(nhwc, false, false)[0];
    }

    /**
     * Pooled features at the cut and the side layer's maps (flattened NHWC rows), from one pass: an engine
     * compiled with {@link #compile(ComputationGraph, String, String)}.
     */
    public synchronized INDArray[] pooledWithSideMaps(INDArray nhwc) {
        if (program.sideMaps() == null) {
            throw new IllegalStateException("this engine was compiled without side maps");
        }
        return run(nhwc, true, true);
    }

    private INDArray[] run(INDArray nhwc, boolean pooled, boolean withSideMaps) {
        if (nhwc.rank() != 4 || nhwc.size(3) != 3 || nhwc.size(0) < 1) {
            throw new IllegalArgumentException("expected an NHWC batch [b, h, w, 3], got "
                    + Arrays.toString(nhwc.shape()));
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            // the plan reads dense NHWC or NCHW buffers where they are: anything else (a slice) is copied first
            InputLayout layout = InputLayout.of(nhwc);
            INDArray input = layout != null ? nhwc : nhwc.castTo(DataType.FLOAT).dup('c');
            int batch = (int) input.size(0);
            long h = input.size(1);
            long w = input.size(2);
            long[] maps = program.valueSizes(h, w)[program.outputValue()];
            long rowLength = pooled ? program.outputChannels() : maps[0] * maps[1] * program.outputChannels();
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, batch, rowLength);
            INDArray side = null;
            long sideRowLength = 0;
            if (withSideMaps) {
                long[] at = program.valueSizes(h, w)[program.sideMaps().value()];
                sideRowLength = at[0] * at[1] * program.sideMaps().channels();
                side = Nd4j.createUninitialized(DataType.FLOAT, batch, sideRowLength);
            }
            Batch job = new Batch(input.data().addressPointer().address(), out.data().addressPointer().address(),
                    side == null ? 0 : side.data().addressPointer().address(), batch, h, w, 3 * h * w * Float.BYTES,
                    rowLength * Float.BYTES, sideRowLength * Float.BYTES, pooled, layout != null ? layout : InputLayout.NHWC);
            int count = threads;
            if (batch == 1) {
                int parts = singleImage.choose(count);
                long start;
                if (parts > 1) {
                    RowSplitPlan plan = workers.rowPlan(program, job, parts);
                    start = System.nanoTime(); // after planning: only the run counts
                    workers.runImage(plan, job);
                } else {
                    DnnlPlan plan = workers.plan(0, program, job, 1);
                    start = System.nanoTime();
                    job.run(plan, 0);
                }
                singleImage.record(parts, System.nanoTime() - start);
            } else {
                workers.runSplit(program, job, count);
            }
            if (input != nhwc) {
                input.close();
            }
            return side == null ? new INDArray[]{out} : new INDArray[]{out, side};
        }
    }

    /** One call's buffers: where image {@code i}'s input, output row and side-maps row (0: none) start. */
    private record Batch(long input, long output, long sideMaps, int size, long h, long w, long inputBytes,
                         long outputBytes, long sideMapsBytes, boolean pooled, InputLayout layout) {
        /** Runs the images from {@code from} that fill {@code plan}'s batch through it, on this thread alone. */
        void run(DnnlPlan plan, int from) {
            // OpenMP's thread count is the calling thread's: set for the run, given back after
            OpenMpThreads.run(1, () -> plan.run(new Address(input + from * inputBytes),
                    new Address(output + from * outputBytes), pooled,
                    sideMaps == 0 ? null : new Address(sideMaps + from * sideMapsBytes)));
        }
    }

    /**
     * The plans of the calling thread (worker 0) and of the extra worker threads, each keyed by (batch, height,
     * width, input layout), and the single-image split plans, keyed by (height, width, parts, input layout), least
     * recently used first; run by the cleaner, it frees them and stops the threads.
     */
    private static final class Workers implements Runnable {
        private static final int PLANS_KEPT = 4;
        private final List<Map<List<Long>, DnnlPlan>> plans = new ArrayList<>();
        private final Map<List<Long>, RowSplitPlan> rowPlans = new LinkedHashMap<>(8, 0.75f, true);
        private final Constants constants = new Constants();
        private SplitRunner runner;
        private ExecutorService pool;
        private int poolSize;

        /** Worker {@code worker}'s plan for {@code batch} of {@code job}'s images, made on first use. */
        synchronized DnnlPlan plan(int worker, BaseProgram program, Batch job, long batch) {
            while (plans.size() <= worker) {
                plans.add(new LinkedHashMap<>(8, 0.75f, true));
            }
            List<Long> key = List.of(batch, job.h(), job.w(), (long) job.layout().ordinal());
            // oneDNN picks its kernels for the thread count it is planned at
            return cached(plans.get(worker), key, () -> OpenMpThreads.call(1, () -> new DnnlPlan(program, constants,
                    batch, job.h(), job.w(), job.layout())), DnnlPlan::close);
        }

        /** The plan splitting one image of {@code job}'s size over {@code parts} cores, made on first use. */
        synchronized RowSplitPlan rowPlan(BaseProgram program, Batch job, int parts) {
            List<Long> key = List.of(job.h(), job.w(), (long) parts, (long) job.layout().ordinal());
            return cached(rowPlans, key, () -> OpenMpThreads.call(1, () -> new RowSplitPlan(program, constants, parts,
                    job.h(), job.w(), job.layout())), RowSplitPlan::close);
        }

        /** The plan under {@code key}, made on first use; the least recently used beyond {@value #PLANS_KEPT} is freed. */
        private static <P> P cached(Map<List<Long>, P> plans, List<Long> key, Supplier<P> make, Consumer<P> free) {
            P plan = plans.get(key);
            if (plan == null) {
                plan = make.get();
                plans.put(key, plan);
                if (plans.size() > PLANS_KEPT) {
                    var eldest = plans.entrySet().iterator().next();
                    free.accept(eldest.getValue());
                    plans.remove(eldest.getKey());
                }
            }
            return plan;
        }

        /** {@code job}'s one image through {@code plan}, this thread and helper threads each running a part. */
        void runImage(RowSplitPlan plan, Batch job) {
            runner(plan.parts()).run(plan, new Address(job.input()), new Address(job.output()), job.pooled(),
                    job.sideMaps() == 0 ? null : new Address(job.sideMaps()));
        }

        private synchronized SplitRunner runner(int parts) {
            if (runner == null || runner.parts() != parts) {
                if (runner != null) {
                    runner.close();
                }
                runner = new SplitRunner(parts);
            }
            return runner;
        }

        /** Chunks of the batch, taken in turn by {@code count} single-threaded plans, one per core. */
        void runSplit(BaseProgram program, Batch job, int count) {
            int chunk = job.size() < CHUNK * count ? 1 : CHUNK;
            int chunks = (job.size() + chunk - 1) / chunk;
            int helpers = Math.min(count, chunks) - 1;
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> running = new ArrayList<>();
            for (int k = 1; k <= helpers; k++) {
                int worker = k;
                running.add(executor(helpers).submit(() -> drain(worker, program, job, chunk, next, chunks)));
            }
            Throwable failure = null;
            try {
                drain(0, program, job, chunk, next, chunks);
            } catch (RuntimeException | Error e) {
                failure = e;
                next.set(chunks);
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    failure = failure != null ? failure : e.getCause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    failure = failure != null ? failure : e;
                }
            }
            if (failure instanceof RuntimeException r) {
                throw r;
            } else if (failure instanceof Error err) {
                throw err;
            } else if (failure != null) {
                throw new IllegalStateException("engine worker failed", failure);
            }
        }

        private void drain(int worker, BaseProgram program, Batch job, int chunk, AtomicInteger next, int chunks) {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                int from = c * chunk;
                int n = Math.min(chunk, job.size() - from);
                job.run(plan(worker, program, job, n), from);
            }
        }

        private synchronized ExecutorService executor(int size) {
            if (pool == null || poolSize < size) {
                if (pool != null) {
                    pool.shutdown();
                }
                pool = Executors.newFixedThreadPool(size, task -> {
                    Thread t = new Thread(task, "tlwb-engine");
                    t.setDaemon(true);
                    return t;
                });
                poolSize = size;
            }
            return pool;
        }

        @Override
        public synchronized void run() {
            plans.forEach(own -> own.values().forEach(DnnlPlan::close));
            plans.clear();
            rowPlans.values().forEach(RowSplitPlan::close);
            rowPlans.clear();
            if (runner != null) {
                runner.close();
            }
            constants.close();
            if (pool != null) {
                pool.shutdown();
            }
        }
    }
}
