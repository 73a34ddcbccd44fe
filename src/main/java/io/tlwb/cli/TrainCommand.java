package io.tlwb.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

// SKELETON: replaced by the issue that builds 'train'.
@Command(name = "train", description = "(not built yet)")
final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("train is not built yet");
    }
}
