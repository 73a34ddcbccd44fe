package io.tlwb.tune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlwb.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SearchSpaceTest {

    @TempDir
    Path tmp;

    @Test
    void aSpaceFileOverridesOnlyTheKeysItNames() throws Exception {
        Path file = Files.writeString(tmp.resolve("space.json"), """
                {
                  // comments are fine
                  "learningRate": {"min": 1e-4, "max": 1e-2},
                  "hiddenUnits": [0, 64],
                  "updater": "rmsprop",
                  "epochs": {"min": 3, "max": 9}
                }
                """);
        SearchSpace space = SearchSpace.read(file);
        assertEquals(Dimension.range(1e-4, 1e-2, Dimension.Scale.LOG), space.get("learningRate"));
        assertEquals(List.of(0, 64), space.get("hiddenUnits").values());
        assertEquals(List.of("rmsprop"), space.get("updater").values());
        assertEquals(Dimension.Scale.INTEGER, space.get("epochs").scale());
        assertEquals(SearchSpace.DEFAULT.get("dropout"), space.get("dropout"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"lerningRate\": [0.1]}                       | unknown key \"lerningRate\"; expected one of learningRate",
            "{\"dropout\": {\"min\": 0.6, \"max\": 0.2}}     | \"dropout\": range min 0.6 is above max 0.2",
            "{\"dropout\": [0.2, 1.5]}                      | \"dropout\": 1.5 is a fraction dropped",
            "{\"batchSize\": \"big\"}                        | \"batchSize\": expected a whole number",
            "{\"hiddenUnits\": [0, 12.5]}                   | \"hiddenUnits\": expected a whole number",
            "{\"learningRate\": {\"min\": 0, \"max\": 0.1}}   | \"learningRate\": 0 must be in (0, 10)",
            "{\"l2\": {\"min\": 0, \"max\": 0.1}}             | \"l2\": a range is searched log-uniformly, so min must be above 0",
            "{\"updater\": [\"adam\", \"sgd\"]}              | \"updater\": unknown updater 'sgd'",
            "{\"epochs\": []}                               | \"epochs\": the list of values is empty",
            "{\"epochs\": {\"min\": 2}}                      | \"epochs\": a range needs both \"min\" and \"max\"",
            "{\"cutLayer\": {\"min\": 1, \"max\": 2}}         | \"cutLayer\": takes a name or a list of names",
            "[1, 2]                                         | expected a JSON object",
            "{\"epochs\": [5, 10}                           | not valid JSON at line 1",
    })
    void badSpaceFilesGetOneLineErrorsNamingTheFileAndKey(String json, String expected) throws Exception {
        Path file = Files.writeString(tmp.resolve("bad-space.json"), json);
        var e = assertThrows(SearchSpaceException.class, () -> SearchSpace.read(file));
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected.trim()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void theCommandLineReportsABadSpaceFileInOneLineWithExitCode3() throws Exception {
        Path file = Files.writeString(tmp.resolve("space.json"), "{\"dropout\": \"lots\"}");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("search", "--workspace", tmp.toString(), "--data", tmp.toString(), "--space", file.toString());
        assertEquals(Main.EXIT_USER_ERROR, code, err.toString());
        assertEquals("error: " + file + ": \"dropout\": expected a number, a list of numbers or {\"min\": .., "
                + "\"max\": ..}, got the text \"lots\"", err.toString().strip());
    }

    @Test
    void aMissingSpaceFileIsAUserError() {
        var e = assertThrows(SearchSpaceException.class, () -> SearchSpace.read(tmp.resolve("nope.json")));
        assertTrue(e.getMessage().contains("nope.json") && e.getMessage().contains("check the path"), e.getMessage());
    }
}
