package io.tlwb.serve;

import io.tlwb.data.ImagePipeline;
import io.tlwb.model.ModelCard;
import io.tlwb.model.SavedModel;
import io.tlwb.pretrained.Preprocessing;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import io.tlwb.data.Augmentation;
import io.tlwb.data.LabeledImage;
import io.tlwb.eval.EvaluationResult;
import io.tlwb.eval.Evaluator;
import io.tlwb.eval.Prediction;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Classifies image files with a saved model, feeding each image exactly as the model card says. */
public final class Predictor {

    /** One image's answer: the top class, its probability, and the whole distribution in class order. */
    public record Result(Path file, String label, double probability, float[] probabilities) {
    }

    private final SavedModel model;
    private final ImagePipeline pipeline;

    public Predictor(SavedModel model) {
        this.model = model;
        ModelCard card = model.card();
        this.pipeline = new ImagePipeline(card.imageSize(), Preprocessing.named(card.preprocessing()));
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
            float[][] probabilities = model.graph().outputSingle(false, batch.getFeatures()).toFloatMatrix();
            for (float[] row : probabilities) {
                LabeledImage image = images.get(next++);
                predictions.add(new Prediction(image.file().toString(), image.label(), row));
            }
        }
        return Evaluator.evaluate(classes(), predictions);
    }

    /** @throws io.tlwb.data.DataException naming the file when it is missing or cannot be decoded */
    public Result predict(Path file) {
        INDArray probabilities = model.graph().outputSingle(false, pipeline.load(file));
        float[] p = probabilities.toFloatVector();
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return new Result(file, classes().get(best), p[best], p);
    }
}
