package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'weights'.
@Command(name = "weights", description = "(not built yet)")
final class WeightsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("weights is not built yet");
    }
}
