package io.tlwb.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.AtomicFiles;
import io.tlwb.Hashes;
import io.tlwb.WorkbenchException;
import io.tlwb.data.ImageRejected;
import io.tlwb.eval.Prediction;
import io.tlwb.model.SavedModel;
import io.tlwb.pipeline.TransferPipeline;
import io.tlwb.report.RunReport;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.TimeoutHandler;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Serves saved models over HTTP with the TorchServe / DJL Serving conventions ({@code POST /predictions/{model}},
 * {@code GET /ping}, {@code GET /models}), Prometheus metrics and a web page, on Vert.x (the stack DL4J's dashboard
 * already runs on). Concurrent predictions for a model are batched on its one inference thread; images decode on
 * worker threads first. Every error is a JSON object {@code {"error": "...", "code": N}}; no stack trace leaves it.
 */
public final class ModelServer implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(ModelServer.class);

    /**
     * How the server listens and what it accepts.
     *
     * @param token          the bearer token predictions and model listings need, or null for none
     * @param corsOrigin     the one origin allowed to call from a browser page elsewhere, or null for none
     * @param maxPixels      width times height above which an image is refused from its header (422)
     * @param timeoutMillis  a request not answered by then gets 408; a connection idle that long is closed
     */
    public record Settings(String bind, int port, int maxBatch, long maxDelayMillis, int queue, String token,
                           long maxUploadBytes, String corsOrigin, long maxPixels, long timeoutMillis) {

        public Settings {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
            }
            if (maxBatch < 1 || maxBatch > 256) {
                throw new IllegalArgumentException("--max-batch must be between 1 and 256, got " + maxBatch);
            }
            if (maxDelayMillis < 0 || maxDelayMillis > 1000) {
                throw new IllegalArgumentException("--max-delay-ms must be between 0 and 1000, got " + maxDelayMillis);
            }
            if (queue < 1) {
                throw new IllegalArgumentException("--queue must be at least 1, got " + queue);
            }
            if (maxUploadBytes < 1024) {
                throw new IllegalArgumentException("--max-upload-mb is too small: " + maxUploadBytes + " bytes");
            }
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("--token must not be empty");
            }
        }

        /** What {@code serve} uses unless told otherwise: loopback, port 8080, batches of up to 8 within 5 ms. */
        public static Settings defaults() {
            return new Settings("127.0.0.1", 8080, 8, 5, 256, null, 20L << 20, null, 25_000_000L, 30_000);
        }

        public Settings withPort(int newPort) {
            return new Settings(bind, newPort, maxBatch, maxDelayMillis, queue, token, maxUploadBytes, corsOrigin,
                    maxPixels, timeoutMillis);
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final Map<String, ServedModel> models;
    private final ServeMetrics metrics;
    private final Settings settings;
    private final Path uploads;
    private final StaticPage page = new StaticPage();
    private final ObjectMapper json = new ObjectMapper();

    private ModelServer(Map<String, ServedModel> models, Settings settings, Path uploads, ServeMetrics metrics) {
        this.models = models;
        this.settings = settings;
        this.uploads = uploads;
        this.metrics = metrics;
        this.vertx = Vertx.vertx();
        this.server = vertx.createHttpServer(new HttpServerOptions()
                .setHost(settings.bind())
                .setPort(settings.port())
                // longer than the request timeout, so a stalled request gets its 408 before the connection closes
                .setIdleTimeout((int) TimeUnit.MILLISECONDS.toSeconds(settings.timeoutMillis()) + 5)
                .setMaxHeaderSize(16 * 1024));
    }

    /**
     * Loads the models, starts one inference thread each and listens.
     *
     * @param modelFiles URL name to model zip, in the order {@code GET /models} lists them
     * @throws WorkbenchException naming the file when a model does not load, or the address when it cannot listen
     */
    public static ModelServer start(Map<String, Path> modelFiles, Settings settings) {
        if (modelFiles.isEmpty()) {
            throw new WorkbenchException("nothing to serve: pass --model ZIP (or --model NAME=ZIP)");
        }
        Map<String, ServedModel> models = new LinkedHashMap<>();
        ServeMetrics metrics = new ServeMetrics(modelFiles.keySet(), name -> models.get(name).batcher().queueDepth());
        Path uploads = null;
        try {
            for (Map.Entry<String, Path> entry : modelFiles.entrySet()) {
                String name = entry.getKey();
                SavedModel saved = SavedModel.load(entry.getValue());
                Predictor predictor = new Predictor(saved);
                DynamicBatcher batcher = new DynamicBatcher(name, predictor::probabilities, settings.maxBatch(),
                        settings.maxDelayMillis(), settings.queue(), size -> metrics.batch(name, size));
                models.put(name, new ServedModel(name, entry.getValue(), Hashes.sha256(entry.getValue()), saved,
                        predictor, batcher));
            }
            uploads = Files.createTempDirectory("tlwb-serve-uploads-");
        } catch (IOException e) {
            models.values().forEach(m -> m.batcher().close());
            throw new WorkbenchException("cannot prepare the server: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            models.values().forEach(m -> m.batcher().close());
            throw e;
        }
        ModelServer server = new ModelServer(Map.copyOf(models), settings, uploads, metrics);
        server.listen();
        return server;
    }

    private void listen() {
        server.requestHandler(router());
        CompletableFuture<Void> listening = new CompletableFuture<>();
        server.listen(result -> {
            if (result.succeeded()) {
                listening.complete(null);
            } else {
                listening.completeExceptionally(result.cause());
            }
        });
        try {
            listening.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new WorkbenchException("cannot listen on " + settings.bind() + ":" + settings.port() + " ("
                    + cause.getMessage() + "): pass another --port, or --bind an address of this machine", e);
        }
    }

    private Router router() {
        Router router = Router.router(vertx);
        router.route().handler(ctx -> {
            ctx.addHeadersEndHandler(v -> metrics.answered(endpoint(ctx), ctx.response().getStatusCode()));
            ctx.next();
        });
        router.route().handler(TimeoutHandler.create(settings.timeoutMillis(), 408));
        if (settings.corsOrigin() != null) {
            router.route().handler(CorsHandler.create(Pattern.quote(settings.corsOrigin()))
                    .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.OPTIONS))
                    .allowedHeaders(Set.of("Authorization", "Content-Type")));
        }
        router.get("/ping").handler(ctx -> respond(ctx, 200, Map.of("status", "Healthy")));
        router.get("/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        router.route("/models").handler(this::authorize);
        router.route("/models/*").handler(this::authorize);
        router.get("/models").handler(this::listModels);
        router.get("/models/:name").handler(this::describeModel);
        router.get("/models/:name/report").handler(this::report);
        router.route("/predictions/*").handler(this::authorize);
        BodyHandler body = BodyHandler.create(uploads.toString())
                .setBodyLimit(settings.maxUploadBytes())
                .setDeleteUploadedFilesOnEnd(true);
        router.post("/predictions/:model").handler(ModelServer::formBodyAsImage).handler(this::watchMultipart)
                .handler(body).handler(this::predict);
        router.put("/predictions/:model").handler(ModelServer::formBodyAsImage).handler(this::watchMultipart)
                .handler(body).handler(this::predict);
        for (String path : List.of("/ping", "/metrics", "/models", "/models/:name", "/models/:name/report",
                "/predictions/:model")) {
            router.route(path).handler(ctx -> fail(ctx, 405, ctx.request().method() + " is not allowed on "
                    + ctx.request().path()));
        }
        router.get().handler(ctx -> page.get(ctx.request().path()).ifPresentOrElse(
                file -> ctx.response().putHeader("Content-Type", file.contentType())
                        .putHeader("X-Content-Type-Options", "nosniff")
                        .putHeader("Cache-Control", "no-cache")
                        .end(Buffer.buffer(file.bytes())),
                () -> fail(ctx, 404, "no such page: " + ctx.request().path())));
        router.route().handler(ctx -> fail(ctx, 404, "no such endpoint: " + ctx.request().method() + " "
                + ctx.request().path()));
        router.route().failureHandler(this::failure);
        return router;
    }

    /** Where a request went, for the requests counter: a fixed set of names, whatever the client sends. */
    private static String endpoint(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path == null) {
            return "other";
        }
        for (String known : List.of("predictions", "models", "ping", "metrics")) {
            if (path.equals("/" + known) || path.startsWith("/" + known + "/")) {
                return known;
            }
        }
        return "page";
    }

    private void authorize(RoutingContext ctx) {
        if (settings.token() == null) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
        byte[] expected = ("Bearer " + settings.token()).getBytes(StandardCharsets.UTF_8);
        if (MessageDigest.isEqual(expected, given)) {
            ctx.next();
        } else {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
            fail(ctx, 401, "this server needs 'Authorization: Bearer <token>' (the --token it was started with)");
        }
    }

    private void listModels(RoutingContext ctx) {
        List<Map<String, Object>> list = new ArrayList<>();
        models.values().forEach(m -> list.add(Map.of("modelName", m.name(), "modelUrl", m.file().toString())));
        respond(ctx, 200, Map.of("models", list));
    }

    private void describeModel(RoutingContext ctx) {
        ServedModel m = models.get(ctx.pathParam("name"));
        if (m == null) {
            fail(ctx, 404, unknownModel(ctx.pathParam("name")));
            return;
        }
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("modelName", m.name());
        card.put("file", m.file().toString());
        card.put("sha256", m.sha256());
        card.put("engine", m.predictor().engine());
        card.put("tta", m.predictor().tta().cliName());
        card.put("report", reportFile(m) == null ? null : "/models/" + m.name() + "/report");
        card.put("card", m.saved().card());
        respond(ctx, 200, card);
    }

    /** The HTML report of the run that trained {@code m}, when its card names the run folder and the report is there. */
    private static Path reportFile(ServedModel m) {
        Object run = m.saved().card().training().get(TransferPipeline.RUN_KEY);
        Path report = run == null ? null : Path.of(run.toString()).resolve(RunReport.FILE_NAME);
        return report != null && Files.isRegularFile(report) ? report : null;
    }

    /** The training report, a file the model's own card points at: nothing a request names reaches the disk. */
    private void report(RoutingContext ctx) {
        ServedModel m = models.get(ctx.pathParam("name"));
        if (m == null) {
            fail(ctx, 404, unknownModel(ctx.pathParam("name")));
            return;
        }
        Path report = reportFile(m);
        if (report == null) {
            fail(ctx, 404, "model '" + m.name() + "' has no training report here (its card names no run folder, or "
                    + "the run folder's report.html is gone)");
            return;
        }
        vertx.<Buffer>executeBlocking(promise -> {
            try {
                promise.complete(Buffer.buffer(Files.readAllBytes(report)));
            } catch (IOException e) {
                promise.fail(e);
            }
        }, false, read -> {
            if (read.failed()) {
                fail(ctx, 404, "cannot read the training report of '" + m.name() + "'");
            } else {
                ctx.response().putHeader("Content-Type", "text/html; charset=utf-8")
                        .putHeader("X-Content-Type-Options", "nosniff").end(read.result());
            }
        });
    }

    private String unknownModel(String name) {
        return "no model named '" + name + "'; this server has " + String.join(", ", models.keySet());
    }

    /**
     * Takes a form-encoded body as the image it is: {@code curl --data-binary @photo.jpg} labels the bytes so, and the
     * body handler, asked to decode them as a form, failed with an internal error.
     */
    private static void formBodyAsImage(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            ctx.request().headers().set("Content-Type", "application/octet-stream");
        }
        ctx.next();
    }

    /**
     * Answers 400 to a multipart body that ended inside a part. Vert.x 3.9's body handler waits for such a part's end
     * forever, so this checks, while the body handler has not passed the request on, whether all of it has arrived.
     */
    private void watchMultipart(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            int[] endedChecks = {0};
            long timer = vertx.setPeriodic(250, id -> {
                if (ctx.response().ended() || ctx.get(BODY_READ) != null) {
                    vertx.cancelTimer(id);
                } else if (ctx.request().isEnded() && ++endedChecks[0] >= 2) {
                    vertx.cancelTimer(id);
                    fail(ctx, 400, "malformed multipart body: it ends inside a part (no closing boundary)");
                }
            });
            ctx.addBodyEndHandler(v -> vertx.cancelTimer(timer));
        }
        ctx.next();
    }

    private static final String BODY_READ = "tlwb.bodyRead";

    /** One image, or several from a multipart request: decoded on a worker, classified by the model's batcher. */
    private void predict(RoutingContext ctx) {
        ctx.put(BODY_READ, Boolean.TRUE);
        long start = System.nanoTime();
        ServedModel model = models.get(ctx.pathParam("model"));
        if (model == null) {
            fail(ctx, 404, unknownModel(ctx.pathParam("model")));
            return;
        }
        int classes = model.predictor().classes().size();
        int topK;
        try {
            String asked = ctx.request().getParam("topk");
            topK = asked == null ? Math.min(5, classes) : Integer.parseInt(asked);
        } catch (NumberFormatException e) {
            fail(ctx, 400, "topk must be a whole number, got '" + ctx.request().getParam("topk") + "'");
            return;
        }
        if (topK < 1) {
            fail(ctx, 400, "topk must be at least 1, got " + topK);
            return;
        }
        List<Upload> images;
        try {
            images = uploads(ctx);
        } catch (UncheckedIOException e) {
            fail(ctx, 400, "cannot read the upload: " + e.getMessage());
            return;
        }
        if (images.isEmpty()) {
            fail(ctx, 400, "no image in the request: send its bytes as the body (curl -T cat.jpg) or a multipart "
                    + "field 'data' (curl -F data=@cat.jpg)");
            return;
        }
        boolean explain = "true".equalsIgnoreCase(ctx.request().getParam("explain"));
        List<INDArray> kept = new ArrayList<>(); // copies for the explanations: the batcher frees what it is given
        Context context = vertx.getOrCreateContext();
        images.forEach(i -> model.batcher().expect());
        vertx.<List<CompletableFuture<float[]>>>executeBlocking(promise -> {
            List<CompletableFuture<float[]>> results = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Upload upload = images.get(i);
                INDArray image;
                try {
                    image = model.predictor().decode(upload.bytes(), upload.name(), settings.maxPixels());
                } catch (RuntimeException e) {
                    for (int j = i; j < images.size(); j++) {
                        model.batcher().abandon();
                    }
                    results.forEach(r -> r.cancel(false));
                    kept.forEach(INDArray::close);
                    throw e;
                }
                if (explain) {
                    kept.add(image.dup());
                }
                results.add(model.batcher().submit(image));
            }
            promise.complete(results);
        }, false, decoded -> {
            if (decoded.failed()) {
                failWith(ctx, decoded.cause());
                return;
            }
            List<CompletableFuture<float[]>> results = decoded.result();
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).whenComplete((ignored, error) ->
                    context.runOnContext(v -> {
                        if (error != null) {
                            failWith(ctx, error instanceof CompletionException
                                    ? error.getCause() : error);
                            return;
                        }
                        metrics.predicted(model.name(), (System.nanoTime() - start) / 1e9);
                        List<float[]> probabilities = results.stream().map(CompletableFuture::join).toList();
                        if (explain) {
                            answerWithExplanations(ctx, model, images, probabilities, kept, topK);
                        } else {
                            answer(ctx, model, images, probabilities, null, topK);
                        }
                    }));
        });
    }

    private record Upload(String name, byte[] bytes) {
    }

    /**
     * TorchServe's answer: the top classes of one image, or {@code [{"file", "predictions"}, ...]} for several;
     * with {@code explanations}, each answer also carries its class activation map as a PNG data URL.
     */
    private void answer(RoutingContext ctx, ServedModel model, List<Upload> images, List<float[]> probabilities,
                        List<String> explanations, int topK) {
        List<String> labels = model.predictor().classes();
        if (probabilities.size() == 1 && explanations == null) {
            respond(ctx, 200, top(labels, probabilities.get(0), topK));
            return;
        }
        List<Map<String, Object>> answers = new ArrayList<>();
        for (int i = 0; i < probabilities.size(); i++) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("file", images.get(i).name());
            answer.put("predictions", top(labels, probabilities.get(i), topK));
            if (explanations != null) {
                answer.put("explanation", explanations.get(i));
            }
            answers.add(answer);
        }
        respond(ctx, 200, probabilities.size() == 1 ? answers.get(0) : answers);
    }

    /** Draws each image's class activation map on a worker (the engine computes its maps), then answers. */
    private void answerWithExplanations(RoutingContext ctx, ServedModel model, List<Upload> images,
                                        List<float[]> probabilities, List<INDArray> kept, int topK) {
        vertx.<List<String>>executeBlocking(promise -> {
            try {
                List<String> pngs = new ArrayList<>();
                for (int i = 0; i < kept.size(); i++) {
                    BufferedImage overlay = model.predictor().overlay(kept.get(i),
                            Prediction.argmax(probabilities.get(i)));
                    ByteArrayOutputStream png = new ByteArrayOutputStream();
                    ImageIO.write(overlay, "png", png);
                    pngs.add("data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()));
                }
                promise.complete(pngs);
            } catch (IOException | RuntimeException e) {
                promise.fail(e);
            } finally {
                kept.forEach(INDArray::close);
            }
        }, false, drawn -> {
            if (drawn.failed() && drawn.cause() instanceof WorkbenchException refused) {
                fail(ctx, 422, refused.getMessage()); // e.g. a head with a hidden layer
            } else if (drawn.failed()) {
                failWith(ctx, drawn.cause());
            } else {
                answer(ctx, model, images, probabilities, drawn.result(), topK);
            }
        });
    }

    /** The multipart files, or else the raw body as one image. */
    private static List<Upload> uploads(RoutingContext ctx) {
        Set<FileUpload> files = ctx.fileUploads();
        List<Upload> uploads = new ArrayList<>();
        if (!files.isEmpty()) {
            for (FileUpload file : files) {
                try {
                    uploads.add(new Upload(file.fileName() == null || file.fileName().isBlank() ? file.name()
                            : file.fileName(), Files.readAllBytes(Path.of(file.uploadedFileName()))));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return uploads;
        }
        String type = ctx.request().getHeader("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            return uploads; // a multipart request without a file part
        }
        if (ctx.getBody() != null && ctx.getBody().length() > 0) {
            uploads.add(new Upload("body", ctx.getBody().getBytes()));
        }
        return uploads;
    }

    /** The {@code k} most probable classes, most probable first, as TorchServe answers. */
    private static List<Map<String, Object>> top(List<String> labels, float[] probabilities, int k) {
        return IntStream.range(0, probabilities.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> probabilities[c]).reversed()
                        .thenComparing(c -> c))
                .limit(k)
                .map(c -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("className", labels.get(c));
                    row.put("probability", (double) probabilities[c]);
                    return row;
                })
                .toList();
    }

    private void failWith(RoutingContext ctx, Throwable error) {
        if (error instanceof ImageRejected rejected) {
            fail(ctx, rejected.reason() == ImageRejected.Reason.NOT_AN_IMAGE ? 415 : 422, rejected.getMessage());
        } else if (error instanceof DynamicBatcher.QueueFull full) {
            ctx.response().putHeader("Retry-After", "1");
            fail(ctx, 503, full.getMessage());
        } else {
            LOG.error("prediction failed", error);
            fail(ctx, 500, "internal error while predicting (the server log has the details)");
        }
    }

    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static void fail(RoutingContext ctx, int code, String message) {
        ctx.fail(code, new Failure(message));
    }

    /** Every failure as a JSON error: ours with their message, Vert.x's (413, 408, 400) with a plain one. */
    private void failure(RoutingContext ctx) {
        int code = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
        String message = ctx.failure() instanceof Failure f ? f.getMessage() : switch (code) {
            case 400 -> "malformed request (check the multipart encoding or the query)";
            case 408 -> "the request was not received and answered within " + settings.timeoutMillis() + " ms";
            case 413 -> "upload too large: the limit is " + settings.maxUploadBytes() / (1024 * 1024)
                    + " MB (serve --max-upload-mb)";
            default -> "internal error";
        };
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // answered already, or the client has gone: nothing to say, nothing wrong here
        }
        if (code == 500 && !(ctx.failure() instanceof Failure)) {
            LOG.error("request failed: {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
        }
        respond(ctx, code, Map.of("error", message, "code", code));
    }

    private void respond(RoutingContext ctx, int code, Object body) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        try {
            ctx.response().setStatusCode(code)
                    .putHeader("Content-Type", "application/json")
                    .end(json.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The address clients reach it at, e.g. {@code http://127.0.0.1:8080/}. */
    public URI url() {
        String host = settings.bind().equals("0.0.0.0") ? "127.0.0.1" : settings.bind();
        return URI.create("http://" + host + ":" + server.actualPort() + "/");
    }

    public int port() {
        return server.actualPort();
    }

    /** Stops listening, then the inference threads, and removes the upload folder. */
    @Override
    public void close() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        vertx.close(done -> closed.complete(null));
        try {
            closed.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("the HTTP server did not stop cleanly: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        models.values().forEach(m -> m.batcher().close());
        try {
            AtomicFiles.deleteTree(uploads);
        } catch (IOException e) {
            LOG.warn("cannot remove the upload folder {}: {}", uploads, e.getMessage());
        }
    }
}
