package io.tlwb.model;

import io.tlwb.pretrained.PretrainedModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A pretrained base frozen up to a cut layer, global average pooling, and a new classifier head: the model the
 * workbench trains, saves and serves.
 *
 * <p>Because pooling is parameter-free, the head can be trained on its own, on cached pooled features
 * ({@link #newHeadGraph}), and then copied into the full graph ({@link #copyHeadFrom}); the full graph then gives
 * exactly the head's outputs on images, and the frozen base is never touched.
 */
public final class TransferModel {

    static final String INPUT = "features";
    static final String OUTPUT = "head_output";
    static final String STANDARDIZE = "head_standardize";
    /** Keeps features that never vary (dead ReLUs) from dividing by zero. */
    private static final double STD_FLOOR = 1e-3;

    private final ComputationGraph graph;
    private final String cutLayer;
    private final int featureSize;
    private final List<String> classes;
    private final HeadConfig head;
    private final long seed;
    private List<String> retrainedBaseLayers = List.of();

    private TransferModel(Builder b, int featureSize) {
        this.cutLayer = b.cutLayer;
        this.featureSize = featureSize;
        this.classes = List.copyOf(b.classes);
        this.head = b.head;
        this.seed = b.seed;
        FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder()
                .updater(head.updater().create(head.learningRate()))
                .seed(seed)
                .build();
        var builder = GraphSurgery.cutAndPool(b.base.graph(), cutLayer, fineTune);
        String previous = GraphSurgery.POOL;
        for (NamedLayer layer : headLayers()) {
            builder.addLayer(layer.name(), layer.layer(), previous);
            previous = layer.name();
        }
        this.graph = GraphSurgery.copyBaseParams(b.base.graph(), builder.setOutputs(OUTPUT).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The full graph: NHWC images in, class probabilities out. */
    public ComputationGraph graph() {
        return graph;
    }

    public String cutLayer() {
        return cutLayer;
    }

    /** Channels at the cut layer, i.e. the length of the pooled feature vector the head reads. */
    public int featureSize() {
        return featureSize;
    }

    public List<String> classes() {
        return classes;
    }

    public HeadConfig head() {
        return head;
    }

    /** Names of the layers this model adds on top of the base. */
    public List<String> headLayerNames() {
        List<String> names = new ArrayList<>(List.of(GraphSurgery.POOL));
        headLayers().forEach(l -> names.add(l.name()));
        return names;
    }

    /** Every layer whose parameters training changed: base layers retrained by fine-tuning, then the head's. */
    public List<String> trainedLayerNames() {
        List<String> names = new ArrayList<>(retrainedBaseLayers);
        names.addAll(headLayerNames());
        return names;
    }

    /** Records the base layers {@link RetrainableTop#copyInto} changed. */
    void markRetrained(List<String> baseLayers) {
        retrainedBaseLayers = List.copyOf(baseLayers);
    }

    /**
     * A fresh, initialised graph holding only the head: pooled features {@code [batch, featureSize]} in.
     *
     * @param training the features the head will train on; their per-feature mean and spread fix the
     *                 standardization layer when the head standardizes
     */
    public ComputationGraph newHeadGraph(INDArray training) {
        return newHeadGraph(featureSize, classes.size(), head, seed, training);
    }

    /**
     * The head graph {@link #newHeadGraph(INDArray)} builds, without a base: for experiments that train many heads on
     * cached features. A transfer model with the same feature size, class count, head and seed gets the same graph.
     */
    public static ComputationGraph newHeadGraph(int featureSize, int numClasses, HeadConfig head, long seed,
                                                INDArray training) {
        ComputationGraph headGraph = headGraph(featureSize, numClasses, head, seed);
        if (head.standardize()) {
            INDArray mean = training.mean(0);
            INDArray scale = training.std(0).addi(STD_FLOOR).rdivi(1.0);
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
        ComputationGraph headGraph = headGraph(featureSize, numClasses, head, 0);
        for (NamedLayer layer : headLayers(featureSize, numClasses, head)) {
            full.getLayer(layer.name()).paramTable().forEach((key, value) ->
                    headGraph.getLayer(layer.name()).getParam(key).assign(value));
        }
        return headGraph;
    }

    private static ComputationGraph headGraph(int featureSize, int numClasses, HeadConfig head, long seed) {
        var builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(head.updater().create(head.learningRate()))
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.feedForward(featureSize));
        String previous = INPUT;
        for (NamedLayer layer : headLayers(featureSize, numClasses, head)) {
            builder.addLayer(layer.name(), layer.layer(), previous);
            previous = layer.name();
        }
        ComputationGraphConfiguration conf = builder.setOutputs(OUTPUT).build();
        ComputationGraph headGraph = new ComputationGraph(conf);
        headGraph.init();
        return headGraph;
    }

    /** Copies the trained parameters of a graph made by {@link #newHeadGraph()} into the full graph's head. */
    public void copyHeadFrom(ComputationGraph trainedHead) {
        for (NamedLayer layer : headLayers()) {
            var source = trainedHead.getLayer(layer.name());
            if (source.numParams() > 0) {
                graph.getLayer(layer.name()).setParams(source.params().dup());
            }
        }
    }

    private List<NamedLayer> headLayers() {
        return headLayers(featureSize, classes.size(), head);
    }

    private static List<NamedLayer> headLayers(int featureSize, int numClasses, HeadConfig head) {
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
        layers.add(new NamedLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
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

    /** Required: {@code setBase}, {@code setClasses}. Optional: cut layer (the base's default), head, seed. */
    public static final class Builder {
        private PretrainedModel base;
        private List<String> classes;
        private String cutLayer;
        private HeadConfig head = HeadConfig.TUTORIAL;
        private long seed = 42;

        public Builder setBase(PretrainedModel base) {
            this.base = Objects.requireNonNull(base);
            return this;
        }

        public Builder setClasses(List<String> classes) {
            this.classes = List.copyOf(classes);
            return this;
        }

        public Builder optCutLayer(String cutLayer) {
            this.cutLayer = cutLayer;
            return this;
        }

        public Builder optHead(HeadConfig head) {
            this.head = Objects.requireNonNull(head);
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        public TransferModel build() {
            if (base == null) {
                throw new IllegalStateException("a transfer model needs a base: call setBase");
            }
            if (classes == null || classes.size() < 2) {
                throw new IllegalStateException("a transfer model needs at least two classes, got " + classes);
            }
            if (cutLayer == null) {
                cutLayer = base.defaultCutLayer();
            }
            return new TransferModel(this, GraphSurgery.channelsAt(base, cutLayer));
        }
    }
}
