package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'ui'.
@Command(name = "ui", description = "(not built yet)")
final class UiCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("ui is not built yet");
    }
}
