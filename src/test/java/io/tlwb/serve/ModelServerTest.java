package io.tlwb.serve;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.data.LabeledImage;
import io.tlwb.model.SavedModel;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.report.RunReport;
import io.tlwb.testing.TinyTraining;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The serving API over real HTTP on loopback, with a model trained for real on small images. */
class ModelServerTest {

    @TempDir
    static Path tmp;

    static Path model;
    static List<LabeledImage> images;
    static ModelServer server;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void trainAndServe() {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingResult result = TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
        model = result.modelFile();
        images = result.dataset().validation();
        RunReport.write(result);
        server = ModelServer.start(Map.of("bugs", model), settings(null, null, 20L << 20, 5_000).withPort(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ModelServer.Settings settings(String token, String cors, long maxUpload, long timeoutMillis) {
        return new ModelServer.Settings("127.0.0.1", 0, 8, 5, 256, token, maxUpload, cors, 1_000_000, timeoutMillis);
    }

    record Reply(int code, String body, HttpResponse<String> response) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    static Reply send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body(), r);
    }

    static HttpRequest.Builder at(ModelServer s, String path) {
        return HttpRequest.newBuilder(s.url().resolve(path));
    }

    static HttpRequest.Builder raw(ModelServer s, String path, byte[] body) {
        return at(s, path).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    /** A multipart/form-data POST with one part per file, as {@code curl -F data=@a -F data=@b} sends. */
    static HttpRequest.Builder multipart(ModelServer s, String path, Map<String, byte[]> files) {
        String boundary = "tlwbBoundary7MA4YWxkTrZu0gW";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        files.forEach((name, bytes) -> {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"" + name
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(bytes);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return at(s, path).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    }

    static byte[] bytes(LabeledImage image) throws IOException {
        return Files.readAllBytes(image.file());
    }

    static float[] probabilities(JsonNode answer, List<String> classes) {
        float[] p = new float[classes.size()];
        answer.forEach(row -> p[classes.indexOf(row.path("className").asText())] =
                (float) row.path("probability").asDouble());
        return p;
    }

    @Test
    void pingModelsAndTheModelCard() throws Exception {
        assertEquals("Healthy", send(at(server, "/ping")).json().path("status").asText());
        JsonNode list = send(at(server, "/models")).json().path("models");
        assertEquals("bugs", list.get(0).path("modelName").asText());
        JsonNode card = send(at(server, "/models/bugs")).json();
        assertEquals(List.of("ants", "bees"), JSON.convertValue(card.path("card").path("classes"), List.class));
        assertTrue(card.path("engine").asText().contains("oneDNN"), card.toString());
        assertEquals(64, card.path("sha256").asText().length());
        assertEquals("/models/bugs/report", card.path("report").asText());
        Reply report = send(at(server, "/models/bugs/report"));
        assertEquals(200, report.code());
        assertTrue(report.body().contains("Training report"), "the run's report.html");
        Reply unknown = send(at(server, "/models/nope"));
        assertEquals(404, unknown.code());
        assertTrue(unknown.json().path("error").asText().contains("bugs"), unknown.body());
    }

    /**
     * One image runs split over the cores or on one core, whichever is faster at the time, and the two round
     * differently in the last digits: answers equal predict's to 1e-6.
     */
    @Test
    void rawAndMultipartAnswersAreWhatPredictGives() throws Exception {
        Predictor predictor = new Predictor(SavedModel.load(model));
        for (LabeledImage image : images.subList(0, 3)) {
            float[] expected = predictor.predict(image.file()).probabilities();
            JsonNode viaRaw = send(raw(server, "/predictions/bugs", bytes(image))).json();
            JsonNode viaForm = send(multipart(server, "/predictions/bugs",
                    Map.of(image.file().getFileName().toString(), bytes(image)))).json();
            assertArrayEquals(expected, probabilities(viaRaw, predictor.classes()), 1e-6f, image.file().toString());
            assertArrayEquals(expected, probabilities(viaForm, predictor.classes()), 1e-6f, image.file().toString());
            assertTrue(viaRaw.get(0).path("probability").asDouble() >= viaRaw.get(1).path("probability").asDouble(),
                    "sorted, most probable first");
        }
        // curl --data-binary @photo.jpg labels the bytes as a form: they are still the image
        JsonNode viaCurlData = send(raw(server, "/predictions/bugs", bytes(images.get(0)))
                .header("Content-Type", "application/x-www-form-urlencoded")).json();
        assertArrayEquals(predictor.predict(images.get(0).file()).probabilities(),
                probabilities(viaCurlData, predictor.classes()), 1e-6f);
        JsonNode top1 = send(raw(server, "/predictions/bugs?topk=1", bytes(images.get(0)))).json();
        assertEquals(1, top1.size());
    }

    @Test
    void gifAndWebpUploadsAreAnsweredAsPredictAnswersTheirFiles() throws Exception {
        Predictor predictor = new Predictor(SavedModel.load(model));
        Path gif = tmp.resolve("upload.gif");
        ImageIO.write(ImageIO.read(images.get(0).file().toFile()), "gif", gif.toFile());
        Path webp = tmp.resolve("upload.webp");
        try (Mat image = imread(images.get(1).file().toString()); BytePointer encoded = new BytePointer()) {
            assertTrue(imencode(".webp", image, encoded));
            byte[] content = new byte[(int) encoded.limit()];
            encoded.get(content);
            Files.write(webp, content);
        }
        for (Path file : List.of(gif, webp)) {
            JsonNode answer = send(raw(server, "/predictions/bugs", Files.readAllBytes(file))).json();
            // as predict's to 1e-6: see rawAndMultipartAnswersAreWhatPredictGives
            assertArrayEquals(predictor.predict(file).probabilities(), probabilities(answer, predictor.classes()), 1e-6f,
                    file.toString());
        }
    }

    @Test
    void onRequestAnAnswerCarriesItsActivationMapAsAPng() throws Exception {
        JsonNode answer = send(raw(server, "/predictions/bugs?explain=true", bytes(images.get(0)))).json();
        assertEquals("body", answer.path("file").asText());
        assertEquals(2, answer.path("predictions").size());
        String url = answer.path("explanation").asText();
        assertTrue(url.startsWith("data:image/png;base64,"), url);
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
                java.util.Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1))));
        assertEquals(32, png.getWidth(), "the model's input size");
    }

    @Test
    void severalFilesInOneRequestGetOneAnswerEach() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (LabeledImage image : images.subList(0, 3)) {
            files.put(image.file().getFileName().toString(), bytes(image));
        }
        Reply reply = send(multipart(server, "/predictions/bugs", files));
        assertEquals(200, reply.code(), reply.body());
        assertEquals(3, reply.json().size());
        List<String> names = new ArrayList<>();
        reply.json().forEach(r -> names.add(r.path("file").asText()));
        assertEquals(new ArrayList<>(files.keySet()).stream().sorted().toList(), names.stream().sorted().toList());
    }

    @Test
    void sixtyFourConcurrentClientsGetTheSingleRequestAnswersInBatches() throws Exception {
        Map<Integer, String> single = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            single.put(i, send(raw(server, "/predictions/bugs", bytes(images.get(i)))).body());
        }
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int c = 0; c < 64; c++) {
            replies.add(HTTP.sendAsync(raw(server, "/predictions/bugs", bytes(images.get(c % images.size())))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int c = 0; c < 64; c++) {
            HttpResponse<String> r = replies.get(c).get();
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(single.get(c % images.size()), r.body(), "client " + c);
        }
        String metrics = send(at(server, "/metrics")).body();
        double count = metric(metrics, "tlwb_batch_size_count{model=\"bugs\"}");
        double sum = metric(metrics, "tlwb_batch_size_sum{model=\"bugs\"}");
        assertTrue(sum > count, "some batches held several images: " + sum + " images in " + count + " batches");
        assertTrue(metrics.contains("tlwb_requests_total{code=\"200\",endpoint=\"predictions\"}"), metrics);
        assertTrue(metrics.contains("tlwb_prediction_seconds_bucket{model=\"bugs\",le=\"0.1\"}"), metrics);
        assertTrue(metrics.contains("tlwb_queue_depth{model=\"bugs\"} 0"), metrics);
    }

    private static double metric(String text, String series) {
        return text.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(
                l.substring(series.length() + 1))).findFirst().orElseThrow(() -> new AssertionError(series));
    }

    @Test
    void badRequestsGetJsonErrorsAndTheServerKeepsServing() throws Exception {
        assertError(send(raw(server, "/predictions/bugs", "hello".getBytes(StandardCharsets.UTF_8))), 415,
                "not a JPEG, PNG, BMP, GIF or WebP");
        assertError(send(raw(server, "/predictions/bugs", bombPng(20_000, 20_000))), 422, "20000x20000");
        assertError(send(raw(server, "/predictions/nope", bytes(images.get(0)))), 404, "no model named 'nope'");
        assertError(send(at(server, "/predictions/bugs").DELETE()), 405, "DELETE is not allowed");
        assertError(send(at(server, "/ping").POST(HttpRequest.BodyPublishers.noBody())), 405, "POST is not allowed");
        assertError(send(at(server, "/no/such/thing")), 404, "no such page");
        assertError(send(raw(server, "/predictions/bugs?topk=many", bytes(images.get(0)))), 400, "topk");
        assertError(send(raw(server, "/predictions/bugs", new byte[0])), 400, "no image in the request");
        byte[] truncated = ("--XYZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.jpg\"\r\n\r\nabc")
                .getBytes(StandardCharsets.UTF_8);
        assertError(send(at(server, "/predictions/bugs").header("Content-Type", "multipart/form-data; boundary=XYZ")
                .POST(HttpRequest.BodyPublishers.ofByteArray(truncated))), 400, "malformed multipart");
        byte[] jpeg = bytes(images.get(0));
        assertError(send(raw(server, "/predictions/bugs", Arrays.copyOf(jpeg, jpeg.length / 2))), 422,
                "");
        assertEquals(200, send(raw(server, "/predictions/bugs", bytes(images.get(0)))).code(), "still serving");
    }

    /** A PNG header claiming {@code width x height} pixels (a decompression bomb's), with a tiny image body. */
    static byte[] bombPng(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(png, "IHDR", ihdr.array());
        chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        png.writeBytes(typeBytes);
        png.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static void assertError(Reply reply, int code, String mentions) throws IOException {
        assertEquals(code, reply.code(), reply.body());
        assertTrue(reply.response().headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode error = reply.json();
        assertEquals(code, error.path("code").asInt(), reply.body());
        assertTrue(error.path("error").asText().contains(mentions), reply.body());
        assertFalse(reply.body().contains("\tat ") || reply.body().contains("Exception"), reply.body());
    }

    @Test
    void anUploadOverTheLimitIsRefusedWhileArriving() throws Exception {
        try (ModelServer small = ModelServer.start(Map.of("bugs", model), settings(null, null, 64 * 1024, 5_000))) {
            assertError(send(raw(small, "/predictions/bugs", new byte[4 << 20])), 413, "limit");
            assertEquals(200, send(raw(small, "/predictions/bugs", bytes(images.get(0)))).code());
        }
    }

    @Test
    void aStalledClientGetsATimeout() throws Exception {
        try (ModelServer quick = ModelServer.start(Map.of("bugs", model), settings(null, null, 20L << 20, 1_000));
             Socket socket = new Socket("127.0.0.1", quick.port())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /predictions/bugs HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n0123456789")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = readAll(socket.getInputStream());
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("\"code\":408"), answer);
        }
    }

    @Test
    void withATokenPredictionsAndListingsNeedIt() throws Exception {
        try (ModelServer locked = ModelServer.start(Map.of("bugs", model), settings("s3cret", null, 20L << 20, 5_000))) {
            assertError(send(raw(locked, "/predictions/bugs", bytes(images.get(0)))), 401, "Authorization");
            assertError(send(at(locked, "/models")), 401, "Bearer");
            assertError(send(at(locked, "/models").header("Authorization", "Bearer wrong")), 401, "Bearer");
            assertEquals(200, send(raw(locked, "/predictions/bugs", bytes(images.get(0)))
                    .header("Authorization", "Bearer s3cret")).code());
            assertEquals(200, send(at(locked, "/models").header("Authorization", "Bearer s3cret")).code());
            assertEquals(200, send(at(locked, "/ping")).code(), "health checks stay open");
        }
    }

    @Test
    void onlyThePagesOwnFilesAreServed() throws Exception {
        assertTrue(send(at(server, "/")).body().contains("<title>tlwb serve</title>"));
        assertEquals(200, send(at(server, "/app.js")).code());
        for (String path : List.of("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
                "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/ui/../pom.xml", "/app.js/../../pom.xml", "/log4j2.xml")) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String answer = readAll(socket.getInputStream());
                assertTrue(answer.startsWith("HTTP/1.1 404") || answer.startsWith("HTTP/1.1 400"), path + ": " + answer);
                assertFalse(answer.contains("root:") || answer.contains("<project") || answer.contains("<Configuration"),
                        path + " leaked a file");
            }
        }
    }

    @Test
    void crossOriginCallsOnlyWithCors() throws Exception {
        String origin = "http://localhost:3000";
        Reply plain = send(at(server, "/models").header("Origin", origin));
        assertTrue(plain.response().headers().firstValue("Access-Control-Allow-Origin").isEmpty());
        try (ModelServer open = ModelServer.start(Map.of("bugs", model), settings(null, origin, 20L << 20, 5_000))) {
            Reply allowed = send(at(open, "/models").header("Origin", origin));
            assertEquals(origin, allowed.response().headers().firstValue("Access-Control-Allow-Origin").orElse(""));
            Reply other = send(at(open, "/models").header("Origin", "http://evil.example"));
            assertTrue(other.response().headers().firstValue("Access-Control-Allow-Origin").isEmpty()
                    || other.code() == 403, other.body());
        }
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
                String text = all.toString(StandardCharsets.UTF_8);
                int headerEnd = text.indexOf("\r\n\r\n");
                if (headerEnd >= 0) {
                    var m = Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
                    if (m.find() && all.size() >= headerEnd + 4 + Integer.parseInt(m.group(1))) {
                        break;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            // what arrived is the answer
        }
        return all.toString(StandardCharsets.UTF_8);
    }
}
