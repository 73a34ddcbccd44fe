package io.tlwb.tune;

import io.tlwb.model.HeadConfig;
import io.tlwb.model.Updater;
import io.tlwb.pipeline.HeadRecipe;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.arbiter.BaseNetworkSpace;
import org.deeplearning4j.arbiter.optimize.api.ParameterSpace;

/**
 * The search space as an Arbiter network space: one Arbiter parameter space per hyperparameter, and a
 * {@link HeadRecipe} for each point. It extends {@link BaseNetworkSpace} (with no layer spaces) because Arbiter's UI
 * module reads the hyperparameters of whatever it shows through that class; the fields below are what it lists, by
 * name. Jackson (Arbiter's, field-based) writes and reads it for the UI, hence the private no-argument constructor.
 */
final class HeadSpace extends BaseNetworkSpace<HeadRecipe> {

    private ParameterSpace<?> learningRate;
    private ParameterSpace<?> dropoutRate;
    private ParameterSpace<?> hiddenUnits;
    private ParameterSpace<?> l2Penalty;
    private ParameterSpace<?> batchSize;
    private ParameterSpace<?> optimizer;
    private ParameterSpace<?> epochs;
    private ParameterSpace<?> cutLayer;

    private HeadSpace() {
        setLayerSpaces(new ArrayList<>());
    }

    HeadSpace(SearchSpace space) {
        this();
        learningRate = space.get("learningRate").toParameterSpace();
        dropoutRate = space.get("dropout").toParameterSpace();
        hiddenUnits = space.get("hiddenUnits").toParameterSpace();
        l2Penalty = space.get("l2").toParameterSpace();
        batchSize = space.get("batchSize").toParameterSpace();
        optimizer = space.get("updater").toParameterSpace();
        epochs = space.get("epochs").toParameterSpace();
        cutLayer = space.get("cutLayer").toParameterSpace();
    }

    @Override
    public HeadRecipe getValue(double[] values) {
        // Search heads see the same standardized features as train's default head.
        HeadConfig head = new HeadConfig(true, number(hiddenUnits, values).intValue(), number(dropoutRate, values).doubleValue(),
                number(l2Penalty, values).doubleValue(), Updater.parse(optimizer.getValue(values).toString()),
                number(learningRate, values).doubleValue());
        return new HeadRecipe(head, number(batchSize, values).intValue(), number(epochs, values).intValue(),
                cutLayer.getValue(values).toString());
    }

    @Override
    public int numParameters() {
        Map<ParameterSpace, Boolean> unique = new IdentityHashMap<>();
        collectLeaves().forEach(leaf -> unique.put(leaf, true));
        return unique.keySet().stream().mapToInt(ParameterSpace::numParameters).sum();
    }

    @Override
    public boolean isLeaf() {
        return false;
    }

    @Override
    public void setIndices(int... indices) {
        throw new UnsupportedOperationException("HeadSpace is not a leaf: its parameter spaces get the indices");
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        getNestedSpaces().forEach((name, space) -> parts.add(name + "=" + space));
        return "HeadSpace(" + String.join(", ", parts) + ")";
    }

    private static Number number(ParameterSpace<?> space, double[] values) {
        return (Number) space.getValue(values);
    }
}
