package io.tlwb.pipeline;

import io.tlwb.train.ClassWeighting;
import io.tlwb.train.EarlyStopping;
import io.tlwb.train.FineTuning;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that shapes a training run besides the base model, composed of specs each validated on construction.
 *
 * @param data       which images and how they split
 * @param features   input size, training and validation views
 * @param recipe     the head and how to train it
 * @param fineTuning     a second stage retraining the base's top layers, or null for none
 * @param output         where the model and extra metrics go
 * @param classWeighting how each class's images count in the loss
 * @param earlyStopping  when to stop the head's training early, or null to run every epoch
 */
public record TrainingOptions(DataSpec data, FeatureSpec features, HeadRecipe recipe, FineTuning fineTuning,
                              OutputSpec output, ClassWeighting classWeighting, EarlyStopping earlyStopping) {

    public TrainingOptions {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(classWeighting, "classWeighting");
    }

    /** Options with equal class weights, every epoch run. */
    public TrainingOptions(DataSpec data, FeatureSpec features, HeadRecipe recipe, FineTuning fineTuning,
                           OutputSpec output) {
        this(data, features, recipe, fineTuning, output, ClassWeighting.NONE, null);
    }

    /** Options without fine-tuning, with equal class weights. */
    public TrainingOptions(DataSpec data, FeatureSpec features, HeadRecipe recipe, OutputSpec output) {
        this(data, features, recipe, null, output);
    }

    /** These options with {@code decided} as the fine-tuning (null for none). */
    TrainingOptions withFineTuning(FineTuning decided) {
        return new TrainingOptions(data, features, recipe, decided, output, classWeighting, earlyStopping);
    }

    /** Training iterations (minibatches) over {@code trainImages}, fine-tuning included. */
    long iterations(int trainImages) {
        long perEpoch = (trainImages + recipe.batchSize() - 1) / recipe.batchSize();
        return perEpoch * (recipe.epochs() + (fineTuning == null ? 0 : fineTuning.epochs()));
    }

    /** The configuration as written to the run folder and the model card (keys as every model card has them). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(data.toMap());
        m.putAll(features.toMap());
        m.put("cutLayer", recipe.cutLayer());
        m.put("head", recipe.head());
        m.put("epochs", recipe.epochs());
        m.put("batchSize", recipe.batchSize());
        m.put("fineTuning", fineTuning == null ? null : fineTuning.toMap());
        m.put("classWeights", classWeighting.cliName());
        m.put("earlyStopping", earlyStopping == null ? null : earlyStopping.toMap());
        return m;
    }
}
