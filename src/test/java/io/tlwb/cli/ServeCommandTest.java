package io.tlwb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.RunFolder;
import io.tlwb.Workspace;
import io.tlwb.pipeline.TrainingResult;
import io.tlwb.testing.TinyTraining;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServeCommandTest {

    @TempDir
    Path tmp;

    @Test
    void servesAZipUnderItsNameAndSaysWhereUntilStopped() throws Exception {
        Workspace ws = new Workspace(tmp.resolve("ws"));
        TrainingResult trained = TinyTraining.run(ws, RunFolder.create(ws.runsDir(), "train"));
        Path zip = Files.copy(trained.modelFile(), ws.modelsDir().resolve("bugs.zip"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        int[] pingStatus = {0};
        ((ServeCommand) cli.getSubcommands().get("serve").getCommand()).stopSignal = () -> {
            Matcher url = Pattern.compile("at (http://\\S+) ").matcher(out.toString());
            assertTrue(url.find(), out.toString());
            try {
                pingStatus[0] = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url.group(1))
                        .resolve("/models/bugs")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        int code = cli.execute("serve", "-w", ws.root().toString(), "--model", zip.getFileName().toString(),
                "--port", "0");
        assertEquals(0, code, err.toString());
        assertEquals(200, pingStatus[0], "the model was served under its file name");
        assertTrue(out.toString().contains("curl http://127.0.0.1:"), out.toString());
    }

    @Test
    void aMissingModelIsAOneLineErrorBeforeListening() {
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true))
                .execute("serve", "--model", tmp.resolve("absent.zip").toString(), "--port", "0");
        assertEquals(Main.EXIT_USER_ERROR, code);
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(err.toString().contains("absent.zip"), err.toString());
    }

    @Test
    void bindingEveryInterfaceWarns() {
        StringWriter err = new StringWriter();
        Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true))
                .execute("serve", "--model", tmp.resolve("absent.zip").toString(), "--bind", "0.0.0.0");
        assertTrue(err.toString().startsWith("warning: --bind 0.0.0.0") && err.toString().contains("--token"),
                err.toString());
    }
}
