package io.tlwb.cli;

import io.tlwb.Workspace;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.ReferenceCheck;
import io.tlwb.pretrained.WeightSources;
import io.tlwb.pretrained.WeightsException;
import io.tlwb.pretrained.WeightsFile;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code weights list|fetch|info|verify}: the pretrained-weights stage on the command line. */
@Command(name = "weights",
        description = "Fetch, inspect and verify pretrained MobileNetV2 weights.",
        subcommands = {
                WeightsCommand.ListCommand.class,
                WeightsCommand.FetchCommand.class,
                WeightsCommand.InfoCommand.class,
                WeightsCommand.VerifyCommand.class,
        },
        footer = {"", "SPEC is one of:",
                "  " + WeightSources.MID_SPEC + " offline default: nsfwjs' TF-Hub MobileNetV2 1.4 (npm)",
                "  " + WeightSources.NSFWJS_SPEC + "              nsfwjs' Keras MobileNetV2 1.0 (offline, npm)",
                "  keras:mobilenet_v2_<alpha>_<size> official keras-applications no-top weights",
                "  PATH.h5[#alpha=A,size=S,preprocessing=P,cut=L]  Keras full model or weights-only file",
                "  DIR | DIR/model.json              TF.js layers model"})
final class WeightsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "list", description = "Known weight specs and what is cached.")
    static final class ListCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        WorkspaceOption ws;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Workspace workspace = ws.workspace();
            List<WeightSources.CacheEntry> cached = WeightSources.cached(workspace);
            out.println("known weight specs:");
            for (String known : WeightSources.knownSpecs()) {
                boolean isCached = cached.stream().anyMatch(c -> known.equals(c.spec()));
                out.printf("  %-40s%s%n", known, (known.equals(WeightSources.DEFAULT_SPEC) ? " default" : "")
                        + (isCached ? " [cached]" : ""));
            }
            out.println("cached in " + workspace.weightsCacheDir() + ":");
            if (cached.isEmpty()) {
                out.println("  (nothing yet: run `weights fetch " + WeightSources.DEFAULT_SPEC + "`)");
            }
            for (WeightSources.CacheEntry c : cached) {
                out.printf(Locale.ROOT, "  %-60s %7.1f MB  %s  sha256 %s%n", c.file().getFileName(),
                        c.bytes() / 1e6, c.spec(), c.sha256());
            }
            out.flush();
            return 0;
        }
    }

    /** What fetch, info and verify share: the workspace, the SPEC argument and where output goes. */
    static final class SpecArgument {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;
        @Mixin
        WorkspaceOption ws;
        @Parameters(paramLabel = "SPEC", defaultValue = WeightSources.DEFAULT_SPEC,
                description = "The weights (default: ${DEFAULT-VALUE}).")
        String weights;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "fetch", description = "Fetch SPEC into the weights cache (converting it to Keras HDF5).")
    static final class FetchCommand implements Callable<Integer> {
        @Mixin
        SpecArgument target;
        @Option(names = "--force", description = "Delete a cached copy first and fetch again.")
        boolean force;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            WeightsFile f = WeightSources.fetch(target.weights, target.ws.workspace(), force);
            PrintWriter out = target.out();
            out.printf(Locale.ROOT, "%s -> %s%nsha256 %s (%.1f s)%n", target.weights, f.file(), f.sha256(),
                    (System.nanoTime() - t0) / 1e9);
            out.flush();
            return 0;
        }
    }

    @Command(name = "info", description = "Import SPEC and describe it: layers, parameters, shapes, cut layer.")
    static final class InfoCommand implements Callable<Integer> {
        @Mixin
        SpecArgument target;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            PretrainedModel m = WeightSources.load(target.weights, target.ws.workspace());
            double seconds = (System.nanoTime() - t0) / 1e9;
            ComputationGraph g = m.graph();
            int size = m.nativeInputSize();
            Map<String, InputType> types = activationTypes(g, size);
            String output = g.getConfiguration().getNetworkOutputs().get(0);
            PrintWriter out = target.out();
            out.printf(Locale.ROOT, "%-15s %s%n", "spec", m.spec());
            out.printf(Locale.ROOT, "%-15s %s%n", "file", m.file());
            out.printf(Locale.ROOT, "%-15s %s%n", "sha256", m.sha256());
            out.printf(Locale.ROOT, "%-15s %d layers (%d graph vertices)%n", "layers", g.getNumLayers(),
                    g.getVertices().length);
            out.printf(Locale.ROOT, "%-15s %,d%n", "parameters", g.numParams());
            out.printf(Locale.ROOT, "%-15s [%d, %d, 3] NHWC RGB%n", "input shape", size, size);
            out.printf(Locale.ROOT, "%-15s %s -> %s%n", "cut layer", m.bottleneckLayer(),
                    shape(types.get(m.bottleneckLayer())));
            out.printf(Locale.ROOT, "%-15s %s -> %s%n", "output", output, shape(types.get(output)));
            out.printf(Locale.ROOT, "%-15s %s%n", "preprocessing", m.preprocessing());
            out.printf(Locale.ROOT, "%-15s %.1f s%n", "load time", seconds);
            out.flush();
            return 0;
        }

        private static Map<String, InputType> activationTypes(ComputationGraph g, int size) {
            try {
                return g.getConfiguration().getLayerActivationTypes(
                        InputType.convolutional(size, size, 3, CNN2DFormat.NHWC));
            } catch (RuntimeException e) {
                return Map.of();
            }
        }

        private static String shape(InputType t) {
            if (t instanceof InputType.InputTypeConvolutional c) {
                return "[" + c.getHeight() + ", " + c.getWidth() + ", " + c.getChannels() + "]";
            }
            if (t instanceof InputType.InputTypeFeedForward f) {
                return "[" + f.getSize() + "]";
            }
            return t == null ? "?" : t.toString();
        }
    }

    @Command(name = "verify", description = "Compare SPEC's DL4J outputs with TensorFlow.js reference outputs.")
    static final class VerifyCommand implements Callable<Integer> {
        @Mixin
        SpecArgument target;

        @Override
        public Integer call() {
            String weights = target.weights;
            if (!ReferenceCheck.hasReference(weights)) {
                throw new WeightsException("no TF.js reference outputs for " + weights + ": `weights verify` checks "
                        + WeightSources.NSFWJS_SPEC + " and " + WeightSources.MID_SPEC + "; use `weights info "
                        + weights + "` for other weights");
            }
            ReferenceCheck.Result r = ReferenceCheck.verify(WeightSources.load(weights, target.ws.workspace()));
            PrintWriter out = target.out();
            out.println(r.render());
            out.flush();
            return r.passed() ? 0 : Main.EXIT_CHECK_FAILED;
        }
    }
}
