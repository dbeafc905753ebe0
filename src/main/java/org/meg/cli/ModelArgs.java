package org.meg.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.meg.io.ProjectFiles;
import org.meg.model.ModelLoader;
import org.meg.model.ModelOptions;
import org.meg.model.SdModel;
import org.meg.protocol.Network;
import org.meg.protocol.NodeProfile;
import org.meg.protocol.stage.ModelStages;
import org.meg.protocol.stage.StageSettings;
import org.meg.sampling.StepListener;
import picocli.CommandLine.Option;

/** Model and node options shared by the commands that run a model. */
final class ModelArgs {
    /** The shipped ES model, relative to the project root. */
    static final String DEFAULT_ES = "weights/meg-es.safetensors";
    /** The shipped, weaker UE model. */
    static final String DEFAULT_UE = "weights/meg-ue.safetensors";

    @Option(names = "--model", description = "ES model: single-file .safetensors or diffusers folder (default: " + DEFAULT_ES + ")")
    Path model;
    @Option(names = "--ue-model", description = "UE model (default: " + DEFAULT_UE + ", else the ES model)")
    Path ueModel;
    @Option(names = "--codec", defaultValue = "auto", description = "image codec: auto, vae or taesd (default ${DEFAULT-VALUE})")
    String codec;
    @Option(names = "--steps", defaultValue = "50", description = "DDIM steps on the ES (default ${DEFAULT-VALUE})")
    int steps;
    @Option(names = "--ue-steps", defaultValue = "25", description = "DDIM steps on the UE (default ${DEFAULT-VALUE})")
    int ueSteps;
    @Option(names = "--strength", defaultValue = "0.75", description = "image-to-image strength (default ${DEFAULT-VALUE})")
    double strength;
    @Option(names = "--guidance", defaultValue = "7.5", description = "classifier-free guidance scale (default ${DEFAULT-VALUE})")
    double guidance;
    @Option(names = "--negative-prompt", defaultValue = "", description = "negative prompt")
    String negativePrompt;
    @Option(names = "--eta", defaultValue = "0", description = "DDIM eta (default ${DEFAULT-VALUE})")
    double eta;
    @Option(names = "--complete-strength", defaultValue = "0.5", description = "strength of the completer on an upsampled sketch (default ${DEFAULT-VALUE})")
    double completeStrength;
    @Option(names = "--es", defaultValue = "2", description = "number of edge servers N in multi-ES protocols (default ${DEFAULT-VALUE})")
    int edgeServers;
    @Option(names = "--ue-speed", defaultValue = "0.25", description = "UE compute speed relative to this machine (default ${DEFAULT-VALUE})")
    double ueSpeed;
    @Option(names = "--es-speed", defaultValue = "4", description = "ES compute speed relative to this machine (default ${DEFAULT-VALUE})")
    double esSpeed;

    private SdModel esLoaded;
    private SdModel ueLoaded;

    ModelOptions options() {
        return ModelOptions.defaults().withCodec(switch (codec.toLowerCase(java.util.Locale.ROOT)) {
            case "auto" -> ModelOptions.Codec.AUTO;
            case "vae" -> ModelOptions.Codec.VAE;
            case "taesd" -> ModelOptions.Codec.TAESD;
            default -> throw new IllegalArgumentException("--codec must be auto, vae or taesd, got " + codec);
        });
    }

    Path esPath() {
        return model != null ? model : defaultPath(DEFAULT_ES);
    }

    Path uePath() {
        if (ueModel != null) {
            return ueModel;
        }
        if (model != null) {
            return model;
        }
        try {
            return ProjectFiles.find(DEFAULT_UE);
        } catch (IllegalStateException e) {
            return esPath();
        }
    }

    /** A shipped file under the project root, or an error that says to pass {@code --model}. */
    static Path defaultPath(String rel) {
        try {
            return ProjectFiles.find(rel);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException("no --model given and the default model " + rel
                    + " is missing; pass --model PATH (a single-file SD 1.x checkpoint or a diffusers folder)");
        }
    }

    SdModel es() {
        if (esLoaded == null) {
            esLoaded = ModelLoader.load(esPath(), options());
        }
        return esLoaded;
    }

    SdModel ue() {
        if (ueLoaded == null) {
            ueLoaded = uePath().equals(esPath()) ? es() : ModelLoader.load(uePath(), options());
        }
        return ueLoaded;
    }

    StageSettings esSettings() {
        return new StageSettings(steps, strength, guidance, eta, negativePrompt, 2, completeStrength);
    }

    StageSettings ueSettings() {
        return esSettings().withSteps(ueSteps);
    }

    /** The UE and N ESs with their models and settings. */
    Network network(int n, StepListener listener) {
        NodeProfile ue = new NodeProfile("UE", ModelStages.of(ue().pipeline(), ueSettings(), listener),
                describe(ue(), ueSteps), ueSpeed);
        NodeProfile es = new NodeProfile("ES", ModelStages.of(es().pipeline(), esSettings(), listener),
                describe(es(), steps), esSpeed);
        return Network.of(ue, es, n);
    }

    static boolean exists(Path p) {
        return p != null && Files.exists(p);
    }

    private static String describe(SdModel m, int steps) {
        return m.name() + " (" + m.codecName() + ", " + steps + " steps)";
    }
}
