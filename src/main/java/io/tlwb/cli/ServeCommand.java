package io.tlwb.cli;

import io.tlwb.serve.ModelServer;
import io.tlwb.ui.StopSignal;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "serve", sortOptions = false, description = {
        "Serve saved models over HTTP until Ctrl-C: POST /predictions/{model} (TorchServe's API), GET /ping, "
                + "GET /models, GET /metrics (Prometheus) and a web page at /.",
        "Concurrent requests for a model are batched (up to --max-batch within --max-delay-ms) on one inference "
                + "thread."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    WorkspaceOption workspaceOption;

    @Option(names = "--model", paramLabel = "[NAME=]ZIP", required = true,
            description = "A model zip to serve, under NAME in the URLs (default: the file name without .zip); "
                    + "repeat for several. A bare file name is also looked up in the workspace's models/.")
    List<String> models = new ArrayList<>();

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on: ${DEFAULT-VALUE} is this machine only; 0.0.0.0 every interface "
                    + "(then use --token). Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "8",
            description = "Most images per engine call. Default: ${DEFAULT-VALUE}.")
    int maxBatch;

    @Option(names = "--max-delay-ms", paramLabel = "MS", defaultValue = "5",
            description = "Longest a batch waits for images still decoding. Default: ${DEFAULT-VALUE}.")
    long maxDelayMillis;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "256",
            description = "Images that may wait per model; beyond, 503 with Retry-After. Default: ${DEFAULT-VALUE}.")
    int queue;

    @Option(names = "--token", paramLabel = "SECRET",
            description = "Require 'Authorization: Bearer SECRET' for predictions and model listings.")
    String token;

    @Option(names = "--max-upload-mb", paramLabel = "MB", defaultValue = "20",
            description = "Largest request body; larger ones get 413 while still arriving. Default: ${DEFAULT-VALUE}.")
    int maxUploadMb;

    @Option(names = "--cors", paramLabel = "ORIGIN",
            description = "Let pages from ORIGIN (e.g. http://localhost:3000) call the API. Default: none.")
    String cors;

    /** What keeps the server up; tests replace Ctrl-C. */
    StopSignal stopSignal = StopSignal.CTRL_C;

    @Override
    public Integer call() throws InterruptedException {
        ModelServer.Settings settings;
        try {
            settings = new ModelServer.Settings(bind, port, maxBatch, maxDelayMillis, queue, token,
                    (long) maxUploadMb << 20, cors, ModelServer.Settings.defaults().maxPixels(),
                    ModelServer.Settings.defaults().timeoutMillis());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!bind.equals("127.0.0.1") && !bind.equals("localhost") && !bind.equals("::1")) {
            spec.commandLine().getErr().printf("warning: --bind %s makes the server reachable from other machines%s%n",
                    bind, token == null ? "; anyone who can reach it can use it (add --token)" : "");
        }
        Map<String, Path> files = modelFiles();
        try (ModelServer server = ModelServer.start(files, settings)) {
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "tlwb-serve-stop"));
            String first = files.keySet().iterator().next();
            out.printf("serving %s at %s - press Ctrl-C to stop%n", String.join(", ", files.keySet()), server.url());
            out.printf("try: curl %spredictions/%s -T image.jpg%n", server.url(), first);
            out.flush();
            stopSignal.await();
        }
        return 0;
    }

    /** {@code --model} values as URL name to zip file, in the order given. */
    private Map<String, Path> modelFiles() {
        Map<String, Path> files = new LinkedHashMap<>();
        for (String value : models) {
            int eq = value.indexOf('=');
            String file = eq > 0 ? value.substring(eq + 1) : value;
            Path zip = workspaceOption.workspace().savedModel(Path.of(file));
            String name = eq > 0 ? value.substring(0, eq) : zip.getFileName().toString().replaceFirst("\\.zip$", "");
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new ParameterException(spec.commandLine(), "--model " + value + ": a model name may hold "
                        + "letters, digits, '.', '_' and '-' only (it goes into URLs)");
            }
            if (files.put(name, zip) != null) {
                throw new ParameterException(spec.commandLine(), "--model: two models are named '" + name
                        + "'; name them with NAME=ZIP");
            }
        }
        return files;
    }
}
