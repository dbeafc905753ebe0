package org.meg.vae;

import org.meg.io.TensorSource;
import org.meg.nn.Conv2d;
import org.meg.nn.Tensors;
import org.meg.nn.Weights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The SD 1.x VAE (CompVis {@code ldm.models.autoencoder.AutoencoderKL}; diffusers
 * {@code AutoencoderKL}), object tree = original checkpoint keys under {@code first_stage_model.}.
 *
 * <pre>
 * encode: image [B,3,H,W] in [-1,1] -> encoder -> quant_conv -> [mean | logvar] [B,2z,H/8,W/8]
 * decode: z [B,z,h,w] (unscaled) -> post_quant_conv -> decoder -> image [B,3,8h,8w], raw
 * U-Net latents = scaling * z (0.18215)
 * </pre>
 */
public final class AutoencoderKL implements LatentCodec {
    private static final double LOGVAR_MIN = -30.0;
    private static final double LOGVAR_MAX = 20.0;

    private final VaeConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;                                    // 1x1, 2z -> 2z
    private final Conv2d postQuantConv;                                // 1x1, z -> z

    private AutoencoderKL(VaeConfig config, Encoder encoder, Decoder decoder, Conv2d quantConv, Conv2d postQuantConv) {
        this.config = config;
        this.encoder = encoder;
        this.decoder = decoder;
        this.quantConv = quantConv;
        this.postQuantConv = postQuantConv;
    }

    /** Loads {@code encoder, decoder, quant_conv, post_quant_conv} from a view at the VAE's root. */
    public static AutoencoderKL load(Weights w, VaeConfig cfg) {
        int z = cfg.zChannels();
        return new AutoencoderKL(cfg,
                Encoder.load(w.child("encoder"), cfg),
                Decoder.load(w.child("decoder"), cfg),
                Conv2d.load(w.child("quant_conv"), 2 * z, 2 * z, 1, 1, 0),
                Conv2d.load(w.child("post_quant_conv"), z, z, 1, 1, 0));
    }

    /**
     * Detects the config and loads strictly from a source in original layout relative to
     * {@code first_stage_model.} (e.g. {@code PrefixSource.of(ckpt, "first_stage_model.")} or
     * {@link VaeKeys#diffusersView}); any key left over is an error.
     */
    public static AutoencoderKL of(TensorSource vaeWeights) {
        Weights w = Weights.of(vaeWeights);
        AutoencoderKL vae = load(w, VaeConfig.detect(vaeWeights));
        w.requireAllTaken(k -> false);
        return vae;
    }

    /** The config this model was built with. */
    public VaeConfig config() {
        return config;
    }

    /** Image [B, 3, H, W] in [-1, 1] -> posterior over unscaled z. */
    public Posterior encode(INDArray image) {
        return encode(image, Tap.NONE);
    }

    /** {@link #encode(INDArray)}, reporting intermediates ({@code encoder.*}, {@code quant_conv}) to {@code tap}. */
    public Posterior encode(INDArray image, Tap tap) {
        Shapes.checkImage(image, downFactor());
        INDArray moments = quantConv.forward(encoder.forward(image, tap));   // [B, 2z, H/8, W/8]
        tap.record("quant_conv", moments);
        int z = config.zChannels();
        INDArray mean = moments.get(NDArrayIndex.all(), NDArrayIndex.interval(0, z)).dup('c');
        INDArray logvar = moments.get(NDArrayIndex.all(), NDArrayIndex.interval(z, 2 * z)).dup('c');
        logvar = Transforms.min(Transforms.max(logvar, LOGVAR_MIN, false), LOGVAR_MAX, false);
        INDArray std = Transforms.exp(logvar.mul(0.5), false);
        return new Posterior(mean, logvar, std);
    }

    /** Unscaled z [B, z, h, w] -> image [B, 3, 8h, 8w], raw (not clamped). */
    public INDArray decode(INDArray z) {
        return decode(z, Tap.NONE);
    }

    /** {@link #decode(INDArray)}, reporting {@code post_quant_conv} and {@code decoder.*} to {@code tap}. */
    public INDArray decode(INDArray z, Tap tap) {
        Shapes.checkLatents(z, config.zChannels());
        INDArray h = postQuantConv.forward(z);
        tap.record("post_quant_conv", h);
        return Tensors.replace(h, decoder.forward(h, tap));
    }

    /** {@code scaling * (mean + std * eps)}, or {@code scaling * mean} when {@code eps} is null. */
    @Override
    public INDArray encodeScaled(INDArray image, INDArray eps) {
        Posterior p = encode(image);
        INDArray z = eps == null ? p.mean().dup() : p.sample(eps);
        return z.muli(config.scaling());
    }

    /** {@code decode(latents / scaling)}. */
    @Override
    public INDArray decodeScaled(INDArray latents) {
        return decode(latents.div(config.scaling()));
    }

    @Override
    public int latentChannels() {
        return config.zChannels();
    }

    @Override
    public int downFactor() {
        return config.downFactor();
    }
}
