package io.tlwb.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --help} works alone on every command and subcommand, and every command takes {@code -w}. */
class HelpTest {

    @Test
    void helpAloneWorksOnEveryCommand() {
        List<List<String>> paths = commandPaths(Main.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())), new ArrayList<>());
        assertTrue(paths.size() >= 12, "expected every command and weights subcommand, got " + paths);
        for (List<String> path : paths) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                    .execute(args.toArray(String[]::new));
            assertEquals(0, code, path + ": " + err);
            assertEquals("", err.toString(), path + " wrote to stderr");
            assertTrue(out.toString().startsWith("Usage: tlwb " + String.join(" ", path)), path + ": " + out);
        }
    }

    @Test
    void everyCommandThatRunsTakesTheWorkspaceOption() {
        CommandLine root = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        for (List<String> path : commandPaths(root, new ArrayList<>())) {
            CommandLine command = root;
            for (String name : path) {
                command = command.getSubcommands().get(name);
            }
            if (command.getSubcommands().isEmpty()) {
                assertTrue(command.getCommandSpec().findOption("-w") != null, path + " has no -w");
            }
        }
    }

    private static List<List<String>> commandPaths(CommandLine command, List<String> prefix) {
        List<List<String>> paths = new ArrayList<>();
        command.getSubcommands().forEach((name, sub) -> {
            if (sub.getCommandSpec().aliases().length > 0 && List.of(sub.getCommandSpec().aliases()).contains(name)) {
                return;
            }
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            paths.add(path);
            paths.addAll(commandPaths(sub, path));
        });
        return paths;
    }
}
