package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'bench'.
@Command(name = "bench", description = "(not built yet)")
final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("bench is not built yet");
    }
}
