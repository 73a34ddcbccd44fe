package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'predict'.
@Command(name = "predict", description = "(not built yet)")
final class PredictCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("predict is not built yet");
    }
}
