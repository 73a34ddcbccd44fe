package io.tlwb.model;

import io.tlwb.pretrained.PretrainedModel;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * A pretrained base frozen up to a cut layer, global average pooling, and a trained classifier head: the model the
 * workbench saves and serves.
 *
 * <p>Because pooling is parameter-free, the head trains on its own, on cached pooled features
 * ({@link HeadSpec#newHeadGraph}), and becomes a {@link TrainedHead} value; {@link #assemble} joins it with the base
 * once, at save time, and the full graph then gives exactly the head's outputs on images.
 */
public final class TransferModel {

    static final String INPUT = "features";
    /** The head's softmax output layer. */
    public static final String OUTPUT = "head_output";
    /** The head's fixed per-feature standardization layer, when it standardizes. */
    public static final String STANDARDIZE = "head_standardize";
    /** Keeps features that never vary (dead ReLUs) from dividing by zero. */
    private static final double STD_FLOOR = 1e-3;

    private final ComputationGraph graph;
    private final TrainedHead trained;

    private TransferModel(ComputationGraph graph, TrainedHead trained) {
        this.graph = graph;
        this.trained = trained;
    }

    /**
     * The full graph: {@code base} cut at the head's layer, its parameters copied, pooling, and the trained head (and
     * any retrained base layers) written in.
     */
    public static TransferModel assemble(PretrainedModel base, TrainedHead trained) {
        HeadSpec spec = trained.spec();
        FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder()
                .updater(spec.head().updater().create(spec.head().learningRate()))
                .seed(spec.seed())
                .build();
        var builder = GraphSurgery.cutAndPool(base.graph(), spec.cutLayer(), fineTune);
        String previous = GraphSurgery.POOL;
        for (NamedLayer layer : headLayers(spec.featureSize(), spec.numClasses(), spec.head(), spec.classWeights())) {
            builder.addLayer(layer.name(), layer.layer(), previous);
            previous = layer.name();
        }
        ComputationGraph graph = GraphSurgery.copyParamsByName(base.graph(), builder.setOutputs(OUTPUT).build());
        trained.writeInto(graph);
        return new TransferModel(graph, trained);
    }

    /** The full graph: NHWC images in, class probabilities out. */
    public ComputationGraph graph() {
        return graph;
    }

    public TrainedHead trained() {
        return trained;
    }

    public HeadSpec spec() {
        return trained.spec();
    }

    public String cutLayer() {
        return spec().cutLayer();
    }

    public List<String> classes() {
        return spec().classes();
    }

    public HeadConfig head() {
        return spec().head();
    }

    /** Names of the layers a model of {@code spec} adds on top of the base. */
    public static List<String> headLayerNames(HeadSpec spec) {
        List<String> names = new ArrayList<>(List.of(GraphSurgery.POOL));
        headLayers(spec.featureSize(), spec.numClasses(), spec.head(), null).forEach(l -> names.add(l.name()));
        return names;
    }

    /**
     * A fresh, initialised graph holding only the head: pooled features {@code [batch, featureSize]} in
     * ({@link HeadSpec#newHeadGraph} for a spec).
     *
     * @param training the features the head will train on; their per-feature mean and spread fix the
     *                 standardization layer when the head standardizes
     */
    public static ComputationGraph newHeadGraph(int featureSize, int numClasses, HeadConfig head, long seed,
                                                INDArray training) {
        return newHeadGraph(featureSize, numClasses, head, seed, null, FeatureStatistics.of(training));
    }

    /**
     * As {@link #newHeadGraph(int, int, HeadConfig, long, INDArray)}, from the training features' statistics, with
     * {@code classWeights} (or null) in the loss.
     */
    static ComputationGraph newHeadGraph(int featureSize, int numClasses, HeadConfig head, long seed,
                                         double[] classWeights, FeatureStatistics training) {
        ComputationGraph headGraph = headGraph(featureSize, numClasses, head, seed, classWeights);
        if (head.standardize()) {
            INDArray mean = training.mean();
            INDArray scale = training.std().add(STD_FLOOR).rdivi(1.0);
            var layer = headGraph.getLayer(STANDARDIZE);
            layer.setParam(DefaultParamInitializer.WEIGHT_KEY, scale.reshape(1, featureSize));
            layer.setParam(DefaultParamInitializer.BIAS_KEY, mean.mul(scale).negi().reshape(1, featureSize));
        }
        return headGraph;
    }

    /**
     * The head of a full transfer-model graph (e.g. a loaded model zip) as a graph of its own, parameters copied:
     * with the base compiled for inference, it predicts without the imported graph's slow forward pass.
     *
     * @param featureSize channels at the cut layer
     * @param head        the head's configuration, as its model card records it
     */
    public static ComputationGraph headOf(ComputationGraph full, int featureSize, int numClasses, HeadConfig head) {
        ComputationGraph headGraph = headGraph(featureSize, numClasses, head, 0, null);
        for (NamedLayer layer : headLayers(featureSize, numClasses, head, null)) {
            full.getLayer(layer.name()).paramTable().forEach((key, value) ->
                    headGraph.getLayer(layer.name()).getParam(key).assign(value));
        }
        return headGraph;
    }

    /** {@code head} (a graph of {@code spec}) without its standardization layer, the other parameters copied. */
    static ComputationGraph headWithoutStandardization(HeadSpec spec, ComputationGraph head) {
        HeadConfig c = spec.head();
        HeadConfig unstandardized = new HeadConfig(false, c.hiddenUnits(), c.dropout(), c.l2(), c.updater(),
                c.learningRate());
        return GraphSurgery.copyParamsByName(head, headGraph(spec.featureSize(), spec.numClasses(), unstandardized,
                spec.seed(), spec.classWeights()));
    }

    private static ComputationGraph headGraph(int featureSize, int numClasses, HeadConfig head, long seed,
                                              double[] classWeights) {
        var builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(head.updater().create(head.learningRate()))
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.feedForward(featureSize));
        String previous = INPUT;
        for (NamedLayer layer : headLayers(featureSize, numClasses, head, classWeights)) {
            builder.addLayer(layer.name(), layer.layer(), previous);
            previous = layer.name();
        }
        ComputationGraphConfiguration conf = builder.setOutputs(OUTPUT).build();
        ComputationGraph headGraph = new ComputationGraph(conf);
        headGraph.init();
        return headGraph;
    }

    /** @param classWeights each class's weight in the loss, or null: it changes training only, not what the head computes */
    private static List<NamedLayer> headLayers(int featureSize, int numClasses, HeadConfig head,
                                               double[] classWeights) {
        List<NamedLayer> layers = new ArrayList<>();
        if (head.standardize()) {
            layers.add(new NamedLayer(STANDARDIZE, new ElementWiseMultiplicationLayer.Builder()
                    .nIn(featureSize).nOut(featureSize).activation(Activation.IDENTITY)
                    .updater(new Sgd(0.0)).build())); // fixed: a zero step, whatever the gradient
        }
        if (head.dropout() > 0) {
            layers.add(new NamedLayer("head_dropout", dropout(head)));
        }
        int nIn = featureSize;
        if (head.hiddenUnits() > 0) {
            layers.add(new NamedLayer("head_hidden", new DenseLayer.Builder()
                    .nIn(nIn).nOut(head.hiddenUnits())
                    .activation(Activation.RELU).weightInit(WeightInit.RELU)
                    .l2(head.l2())
                    .build()));
            nIn = head.hiddenUnits();
            if (head.dropout() > 0) {
                layers.add(new NamedLayer("head_hidden_dropout", dropout(head)));
            }
        }
        layers.add(new NamedLayer(OUTPUT, new OutputLayer.Builder(classWeights == null
                ? new LossMCXENT() : new LossMCXENT(Nd4j.createFromArray(classWeights).castTo(DataType.FLOAT).reshape(1, numClasses)))
                .nIn(nIn).nOut(numClasses)
                .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER)
                .l2(head.l2())
                .build()));
        return layers;
    }

    private static DropoutLayer dropout(HeadConfig head) {
        return new DropoutLayer.Builder(1.0 - head.dropout()).build(); // DL4J takes the retain probability
    }

    private record NamedLayer(String name, Layer layer) {
    }
}
