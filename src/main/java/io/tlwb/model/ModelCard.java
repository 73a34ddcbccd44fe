package io.tlwb.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to use, trust and reproduce a saved model, stored as JSON beside the DL4J graph in its zip.
 *
 * @param format             card format version, for compatibility checks when loading
 * @param classes            class names in output order
 * @param imageSize          square input size the model was trained at
 * @param preprocessing      name of the {@link io.tlwb.pretrained.Preprocessing} inputs need
 * @param weightsSpec        the weight source, e.g. {@code npm:nsfwjs@4.4.0}
 * @param weightsSha256      sha256 of the imported weight file
 * @param cutLayer           the base layer the head reads
 * @param trainedLayers      layers whose parameters were trained; all others are the pretrained base, unchanged
 * @param head               the head's configuration
 * @param training           epochs, batch size, seed, augmentation and anything else that shaped training
 * @param metrics            validation figures before and after training
 * @param datasetFingerprint hash over the training data's classes, files and contents
 * @param provenance         versions of the tool, DL4J, Java and OS, host and time
 */
public record ModelCard(int format, List<String> classes, int imageSize, String preprocessing, String weightsSpec,
                        String weightsSha256, String cutLayer, List<String> trainedLayers, HeadConfig head,
                        Map<String, Object> training, Map<String, Object> metrics, String datasetFingerprint,
                        Map<String, String> provenance) {

    public static final int FORMAT = 1;

    public ModelCard {
        classes = List.copyOf(classes);
        trainedLayers = List.copyOf(trainedLayers);
        training = Collections.unmodifiableMap(new LinkedHashMap<>(training)); // JSON nulls are allowed here
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        provenance = Map.copyOf(provenance);
    }
}
