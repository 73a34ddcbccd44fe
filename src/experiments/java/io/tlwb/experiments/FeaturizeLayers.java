package io.tlwb.experiments;

import io.tlwb.Workspace;
import io.tlwb.data.Augmentation;
import io.tlwb.data.ImageDataset;
import io.tlwb.data.ImageFolders;
import io.tlwb.data.ImagePipeline;
import io.tlwb.data.LabeledImage;
import io.tlwb.features.FeatureCache;
import io.tlwb.features.GraphFeaturizer;
import io.tlwb.features.View;
import io.tlwb.pretrained.PretrainedModel;
import io.tlwb.pretrained.WeightSources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * Measurement helper (not part of the product): fills the workspace's feature cache for several cut layers at once,
 * from one forward pass per image and view, so head experiments over cut layers cost one featurization, not one per
 * layer. Entries are written under the same keys {@link GraphFeaturizer} uses, so later {@code train} runs hit them.
 *
 * <p>Usage, from the project root (the pom pins exec:java's main class, so run java directly):
 * <pre>
 * mvn -q test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * java -Xmx3g -cp target/test-classes:target/classes:$(cat cp.txt) io.tlwb.experiments.FeaturizeLayers \
 *     DATA SIZE VIEWS LAYER...
 * </pre>
 * where VIEWS is {@code none}, {@code flip} or {@code flip-rotate} (the training augmentation whose views to cache;
 * validation images get the plain and, with flip or flip-rotate, the mirrored view).
 */
public final class FeaturizeLayers {

    private FeaturizeLayers() {
    }

    public static void main(String[] args) {
        Path data = Path.of(args[0]);
        int size = Integer.parseInt(args[1]);
        Augmentation augmentation = Augmentation.parse(args[2]);
        List<String> layers = List.of(args).subList(3, args.length);
        Workspace workspace = new Workspace(Path.of("."));
        PretrainedModel base = WeightSources.load(WeightSources.NSFWJS_SPEC, workspace);
        ImageDataset dataset = ImageFolders.open(data, 0.2, 42);
        List<FeatureCache> caches = new ArrayList<>();
        for (String layer : layers) {
            caches.add(new FeatureCache(workspace.featureCacheDir(), new GraphFeaturizer(base, layer, size).cacheKey()));
        }
        ImagePipeline pipeline = new ImagePipeline(size, base.preprocessing());
        List<View> views = View.forAugmentation(augmentation);
        for (View view : views) {
            for (List<LabeledImage> split : List.of(dataset.train(), dataset.validation())) {
                if (view.random() && split == dataset.validation()) {
                    continue;
                }
                List<LabeledImage> todo = new ArrayList<>();
                for (LabeledImage image : split) {
                    if (caches.stream().anyMatch(c -> c.get(image.sha256(), view.name()).isEmpty())) {
                        todo.add(image);
                    }
                }
                if (todo.isEmpty()) {
                    continue;
                }
                Augmentation aug = view.random() ? Augmentation.FLIP_ROTATE : Augmentation.NONE;
                long seed = view.randomIndex();
                DataSetIterator batches = pipeline.iterator(todo, dataset.numClasses(), 16, false, aug, seed);
                int done = 0;
                long start = System.nanoTime();
                while (batches.hasNext()) {
                    DataSet batch = batches.next();
                    INDArray input = view.mirrored()
                            ? ImagePipeline.flipHorizontally(batch.getFeatures()) : batch.getFeatures();
                    Map<String, INDArray> acts = base.graph().feedForward(new INDArray[]{input}, false);
                    int n = (int) input.size(0);
                    if (done == 0) { // the pooled activations must be what the product's featurizer computes
                        INDArray reference = new GraphFeaturizer(base, layers.get(0), size).featurize(input);
                        double diff = reference.sub(acts.get(layers.get(0)).mean(1, 2)).amaxNumber().doubleValue();
                        System.out.printf(Locale.ROOT, "max |difference| to GraphFeaturizer at %s: %.2e%n",
                                layers.get(0), diff);
                        if (diff > 1e-4) {
                            throw new IllegalStateException("pooled features differ from GraphFeaturizer's");
                        }
                    }
                    for (int l = 0; l < layers.size(); l++) {
                        float[][] pooled = acts.get(layers.get(l)).mean(1, 2).toFloatMatrix();
                        for (int i = 0; i < n; i++) {
                            caches.get(l).put(todo.get(done + i).sha256(), view.name(), pooled[i]);
                        }
                    }
                    done += n;
                    System.out.printf(Locale.ROOT, "%s %s: %d/%d (%.1f img/s)%n", view.name(), split == dataset.train()
                            ? "train" : "validation", done, todo.size(), done / ((System.nanoTime() - start) / 1e9));
                }
            }
        }
    }
}
