package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'inspect'.
@Command(name = "inspect", description = "(not built yet)")
final class InspectCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("inspect is not built yet");
    }
}
