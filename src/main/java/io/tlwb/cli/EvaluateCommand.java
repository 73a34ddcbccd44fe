package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'evaluate'.
@Command(name = "evaluate", description = "(not built yet)")
final class EvaluateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("evaluate is not built yet");
    }
}
