package io.tlwb.serve;

import io.tlwb.FloatRows;
import io.tlwb.WorkbenchException;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.engine.FrozenBase;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.eval.Prediction;
import io.tlwb.features.Featurizer;
import io.tlwb.features.Featurizers;
import io.tlwb.model.GraphSurgery;
import io.tlwb.model.ModelCard;
import io.tlwb.model.SavedModel;
import io.tlwb.model.TestTimeAugmentation;
import io.tlwb.model.TransferModel;
import io.tlwb.pretrained.Preprocessing;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/** Classifies image files with a saved model, feeding each image exactly as the model card says. */
public final class Predictor {

    /** One image's answer: the top class, its probability, and the whole distribution in class order. */
    public record Result(Path file, String label, double probability, float[] probabilities) {
    }

    private final SavedModel model;
    private final ImagePipeline pipeline;
    private final TestTimeAugmentation tta;
    /** NHWC images to class probabilities: the compiled base and the head when possible, else the whole graph. */
    private final UnaryOperator<INDArray> forward;
    private final boolean compiled;
    /** Null when the base is not compiled, or the head cannot be explained (the reason is then in the message). */
    private final ClassActivationMaps maps;
    private final String cannotExplain;

    /** Predicts with the test-time augmentation the model was evaluated with at training (none for older models). */
    public Predictor(SavedModel model) {
        this(model, trainedWith(model.card()));
    }

    public Predictor(SavedModel model, TestTimeAugmentation tta) {
        this.model = model;
        this.tta = Objects.requireNonNull(tta, "tta");
        ModelCard card = model.card();
        this.pipeline = new ImagePipeline(card.imageSize(), Preprocessing.named(card.preprocessing()));
        ComputationGraph graph = model.graph();
        Optional<FrozenBase> base = Featurizers.engine(graph, card.cutLayer());
        this.compiled = base.isPresent();
        if (compiled) {
            int featureSize = (int) GraphSurgery.activationShape(graph, card.cutLayer(), card.imageSize(),
                    card.cutLayer())[2];
            ComputationGraph head = TransferModel.headOf(graph, featureSize, card.classes().size(), card.head());
            FrozenBase engine = base.get();
            ClassActivationMaps explainer = null;
            String reason = null;
            try {
                explainer = new ClassActivationMaps(engine, head, GraphSurgery.activationShape(graph, card.cutLayer(),
                        card.imageSize(), card.cutLayer()), card.head().hiddenUnits() > 0);
            } catch (WorkbenchException e) {
                reason = e.getMessage();
            }
            this.maps = explainer;
            this.cannotExplain = reason;
            this.forward = images -> {
                INDArray features = engine.pooled(images);
                INDArray probabilities = head.outputSingle(false, features);
                features.close(); // a fresh array per call; freed now, not when the collector gets to it
                return probabilities;
            };
        } else {
            this.forward = images -> graph.outputSingle(false, images);
            this.maps = null;
            this.cannotExplain = "class activation maps need the compiled base, and this model's base did not compile";
        }
    }

    /**
     * Whether predictions run on the compiled base (the engine, 10-50x faster than the imported graph and equal to it
     * to float rounding) rather than on the model's whole DL4J graph.
     */
    public boolean compiled() {
        return compiled;
    }

    /** What runs the frozen base: the engine's name, or the DL4J graph. */
    public String engine() {
        return compiled ? FrozenBase.engineName() : Featurizer.GRAPH_ENGINE;
    }

    /** The test-time augmentation recorded in a model card's training settings, or none when it records none. */
    public static TestTimeAugmentation trainedWith(ModelCard card) {
        Object recorded = card.training().get(TestTimeAugmentation.CARD_KEY);
        return recorded == null ? TestTimeAugmentation.NONE : TestTimeAugmentation.parse(recorded.toString());
    }

    public TestTimeAugmentation tta() {
        return tta;
    }

    public List<String> classes() {
        return model.card().classes();
    }

    /** Evaluates the model on labelled images (labels index the model's classes), batch by batch. */
    public EvaluationResult evaluate(List<LabeledImage> images, int batchSize) {
        List<Prediction> predictions = new ArrayList<>(images.size());
        DataSetIterator batches = pipeline.iterator(images, classes().size(), batchSize, false, Augmentation.NONE, 0);
        int next = 0;
        while (batches.hasNext()) {
            DataSet batch = batches.next();
            float[][] probabilities = FloatRows.of(tta.output(forward, batch.getFeatures()));
            for (float[] row : probabilities) {
                LabeledImage image = images.get(next++);
                predictions.add(new Prediction(image.file().toString(), image.label(), row));
            }
        }
        return Evaluator.evaluate(classes(), predictions);
    }

    /** The model card of the model this predicts with. */
    public ModelCard card() {
        return model.card();
    }

    /**
     * An uploaded image as the model's input {@code [1, size, size, 3]}: the same pixels a file with these bytes gives.
     *
     * @throws io.tlwb.data.ImageRejected saying why the bytes cannot be used
     */
    public INDArray decode(byte[] bytes, String source, long maxPixels) {
        return pipeline.load(bytes, source, maxPixels);
    }

    /**
     * Class probabilities {@code [batch][classes]} of decoded images stacked along the batch axis, with this
     * predictor's test-time augmentation. Not thread-safe: one caller at a time.
     */
    public float[][] probabilities(INDArray images) {
        return FloatRows.of(tta.output(forward, images));
    }

    /** A prediction with the predicted class's activation map over the image the model saw. */
    public record Explanation(Result result, float[][] map, BufferedImage overlay) {
    }

    /**
     * Predicts {@code file} (with this predictor's test-time augmentation) and explains the predicted class with its
     * activation map on the image as it is (the map of a flip-averaged prediction is the plain image's).
     *
     * @throws WorkbenchException when the model cannot be explained (a hidden layer in the head, or no engine)
     */
    public Explanation explain(Path file) {
        requireExplainable();
        INDArray image = pipeline.load(file);
        Result result = predict(file, image);
        float[][] map = maps.logits(image)[Prediction.argmax(result.probabilities())];
        BufferedImage overlay = ClassActivationMaps.overlay(image, pipeline.preprocessing(), map);
        image.close();
        return new Explanation(result, map, overlay);
    }

    /**
     * The activation map of class {@code classIndex} over an image already decoded ({@link #decode}), as
     * {@link #explain} draws it.
     */
    public BufferedImage overlay(INDArray image, int classIndex) {
        requireExplainable();
        return ClassActivationMaps.overlay(image, pipeline.preprocessing(), maps.logits(image)[classIndex]);
    }

    /** @throws WorkbenchException saying why, when this model's predictions cannot be explained */
    public void requireExplainable() {
        if (maps == null) {
            throw new WorkbenchException(cannotExplain);
        }
    }

    /** {@link #explain}'s overlay, or null when this model cannot be explained (for reports that show it if they can). */
    public BufferedImage activationOverlay(Path file) {
        return maps == null ? null : explain(file).overlay();
    }

    /** The logit maps {@code [classes][h][w]} of one file, for checks: their spatial means are the logits. */
    float[][][] logitMaps(Path file) {
        requireExplainable();
        return maps.logits(pipeline.load(file));
    }

    /** @throws io.tlwb.data.DataException naming the file when it is missing or cannot be decoded */
    public Result predict(Path file) {
        return predict(file, pipeline.load(file));
    }

    private Result predict(Path file, INDArray image) {
        float[] p = tta.output(forward, image).toFloatVector();
        int best = Prediction.argmax(p);
        return new Result(file, classes().get(best), p[best], p);
    }
}
