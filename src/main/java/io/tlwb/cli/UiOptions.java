package io.tlwb.cli;

import io.tlwb.ui.Dashboard;
import io.tlwb.ui.StopSignal;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --ui}, {@code --ui-port}, {@code --ui-bind}: spelled the same on every command that trains. */
final class UiOptions {

    @Option(names = "--ui",
            description = "Show the run live in the DL4J dashboard (prints its URL) and keep it open afterwards "
                    + "until Ctrl-C.")
    boolean ui;

    @Option(names = "--ui-port", paramLabel = "N", defaultValue = "" + Dashboard.DEFAULT_PORT,
            description = "Dashboard port; if taken, the next free one is used and said (default: ${DEFAULT-VALUE}).")
    int uiPort;

    @Option(names = "--ui-bind", paramLabel = "ADDRESS", defaultValue = Dashboard.LOOPBACK,
            description = "Dashboard address: ${DEFAULT-VALUE} is this machine only, 0.0.0.0 every interface "
                    + "(default: ${DEFAULT-VALUE}).")
    String uiBind;

    /** What keeps the dashboard open after the run; tests replace Ctrl-C with their own checks. */
    StopSignal stopSignal = StopSignal.CTRL_C;

    /** The dashboard with {@code --ui} (its URL printed on {@code out}), else null. */
    Dashboard startIfWanted(PrintWriter out) {
        return ui ? Dashboard.start(uiBind, uiPort, out) : null;
    }
}
