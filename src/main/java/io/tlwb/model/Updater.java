package io.tlwb.model;

import io.tlwb.Named;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;

/** The optimizers offered for the head, each built with a learning rate. */
public enum Updater implements Named {
    ADAM, NESTEROVS, RMSPROP;

    public IUpdater create(double learningRate) {
        return switch (this) {
            case ADAM -> new Adam(learningRate);
            case NESTEROVS -> new Nesterovs(learningRate, 0.9);
            case RMSPROP -> new RmsProp(learningRate);
        };
    }

    @Override
    public String cliName() {
        return Named.of(this);
    }

    /** Case-insensitive lookup that lists the allowed values when the name is wrong. */
    public static Updater parse(String name) {
        return Named.parse(Updater.class, name, "updater");
    }

    /** The command-line name, so help texts and messages show what users type. */
    @Override
    public String toString() {
        return cliName();
    }
}
