package org.meg.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.meg.io.Images;
import org.meg.io.SafeTensorsFile;
import org.meg.testing.Reference;

/**
 * The {@code meg} command as a user drives it: exit codes, what it prints, and what it writes.
 * Model runs use the tiny reference model (random weights) at 64x64 and few steps, so they test
 * plumbing and accounting, not image quality.
 */
class MegCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TINY = Reference.sdTiny("models/tiny-sd/original/tiny-sd.safetensors").toString();

    @TempDir
    static Path tmp;
    private static Path image64;
    private static Path image60;

    /** What one {@code meg} invocation printed and returned. */
    record Outcome(int code, String out, String err) {
    }

    static Outcome meg(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Meg.execute(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void smallImage() {
        image64 = tmp.resolve("coffee_64.png");
        Images.writePng(Images.resizeBilinear(Images.read(Reference.resource("images/coffee_256.png")), 64, 64), image64);
        image60 = tmp.resolve("coffee_60.png");
        Images.writePng(Images.resizeBilinear(Images.read(Reference.resource("images/coffee_256.png")), 60, 60), image60);
    }

    @Test
    void tokenizePrintsTheReferenceIds() throws Exception {
        JsonNode cases = JSON.readTree(Reference.resource("reference/sd-tiny/tokenizer/tokenizer_cases.json").toFile())
                .get("cases");
        JsonNode c = cases.get(0);
        Outcome o = meg("tokenize", c.get("prompt").asText());
        assertEquals(0, o.code(), o.err());
        JsonNode ids = JSON.readTree(o.out());
        assertEquals(77, ids.size());
        assertEquals(c.get("input_ids"), ids);
    }

    @Test
    void overheadJsonReproducesFigure6() throws Exception {
        Outcome o = meg("overhead", "--width", "240", "--height", "240", "--bits", "8", "--json");
        assertEquals(0, o.code(), o.err());
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode p : JSON.readTree(o.out())) {
            byName.put(p.get("protocol").asText(), p);
        }
        // Fig. 6: image 240*240*3*8 = 1.3824 Mb, seed 4*30*30*8 = 28.8 kb, half-size sketch 345.6 kb.
        long image = 240L * 240 * 3 * 8;
        long seed = 4L * 30 * 30 * 8;
        long sketch = 120L * 120 * 3 * 8;
        assertBits(byName.get("full-ES"), image, image);
        assertBits(byName.get("UIEG"), seed, image);
        assertBits(byName.get("EIUG"), image, seed);
        assertBits(byName.get("CIAG"), seed, seed);
        assertBits(byName.get("ESUC"), image, sketch);
        assertBits(byName.get("full-UE"), 0, 0);
    }

    private static void assertBits(JsonNode p, long up, long down) {
        assertEquals(up, p.get("uplinkBits").asLong(), p.toString());
        assertEquals(down, p.get("downlinkBits").asLong(), p.toString());
        assertEquals(up + down, p.get("totalBits").asLong(), p.toString());
    }

    @Test
    void badUsageExitsWith2AndNamesTheProblem() {
        String img = image64.toString();
        String out = tmp.resolve("bad").toString();
        List<String[]> cases = List.of(
                new String[] {"run", "--protocol", "NOPE", "--prompt", "x", "--image", img, "--out", out, "--model", TINY},
                new String[] {"run", "--protocol", "CIAG", "--snr-db", "NaN", "--prompt", "x", "--image", img, "--out", out, "--model", TINY},
                new String[] {"run", "--protocol", "CIAG", "--transport", "digital", "--bits", "17", "--prompt", "x", "--image", img, "--out", out, "--model", TINY},
                new String[] {"run", "--protocol", "UIDG", "--es", "0", "--prompt", "x", "--image", img, "--out", out, "--model", TINY},
                new String[] {"overhead", "--width", "100", "--height", "240"},
                new String[] {"img2img", "--prompt", "x", "--image", img, "--out", out, "--model", tmp.resolve("missing.safetensors").toString()},
                new String[] {"run", "--protocol", "full-ES", "--prompt", "x", "--image", image60.toString(), "--out", out, "--model", TINY},
                new String[] {"frobnicate"});
        List<String> mentions = List.of("NOPE", "NaN", "17", "0", "100", "missing.safetensors", "60x60", "frobnicate");
        for (int i = 0; i < cases.size(); i++) {
            Outcome o = meg(cases.get(i));
            assertEquals(2, o.code(), String.join(" ", cases.get(i)) + "\n" + o.err());
            assertTrue(o.err().contains(mentions.get(i)), "error names " + mentions.get(i) + ": " + o.err());
        }
        assertTrue(Files.notExists(tmp.resolve("bad").resolve("report.json")), "nothing computed on bad input");
    }

    @Test
    void img2imgWithReferenceNoiseReproducesDiffusersFromTheShell() throws Exception {
        Path ref = Reference.sdTiny("outputs/tiny-sd/img2img_64x64.safetensors");
        JsonNode settings = JSON.readTree(Reference.sdTiny("outputs/tiny-sd/img2img_64x64.json").toFile());
        Path input = tmp.resolve("ref_input.png");
        Path latents = tmp.resolve("latents.safetensors");
        Path png = tmp.resolve("img2img.png");
        try (SafeTensorsFile r = SafeTensorsFile.open(ref)) {
            // The shell takes a PNG, so the input is rounded to 8 bits (up to 1/255 per value).
            Images.writePng(r.load("image"), input);
        }
        Outcome o = meg("img2img", "--model", TINY, "--codec", "vae", "--prompt", settings.get("prompt").asText(),
                "--image", input.toString(), "--strength", "0.75", "--steps", settings.get("steps").asText(),
                "--guidance", "7.5", "--noise", ref.toString(), "--save-latents", latents.toString(), "--out", png.toString());
        assertEquals(0, o.code(), o.err());
        BufferedImage written = ImageIO.read(png.toFile());
        assertEquals(64, written.getWidth());
        try (SafeTensorsFile saved = SafeTensorsFile.open(latents); SafeTensorsFile r = SafeTensorsFile.open(ref)) {
            assertArrayEquals(r.longs("timesteps"), saved.longs("timesteps"));
            int n = settings.get("num_denoise_steps").asInt();
            for (int k = 0; k < n; k++) {
                assertTrue(saved.names().contains(String.format("step%02d.latents", k)), "step " + k + " saved");
            }
            // The PNG-rounded input moves the posterior by O(1/255 * |encoder gain|): a loose bound,
            // and the exact-input comparison is Img2ImgEndToEndTest.
            double d = Reference.maxAbsDiff(r.load("final_latents"), saved.load("final_latents"));
            assertTrue(d < 0.1, "final latents from the shell within 0.1 of diffusers: " + d);
        }
    }

    @Test
    void runWritesImagesAndAReportWhoseLedgerMatchesTheSeedSize() throws Exception {
        Path out = tmp.resolve("run");
        Outcome o = meg("run", "--protocol", "CIAG", "--snr-db", "-5", "--prompt", "corals", "--image", image64.toString(),
                "--seed", "7", "--out", out.toString(), "--model", TINY, "--codec", "taesd", "--steps", "3");
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.isRegularFile(out.resolve("output.png")));
        assertTrue(Files.isRegularFile(out.resolve("reference.png")));
        JsonNode report = JSON.readTree(out.resolve("report.json").toFile());
        long seedBits = 4L * 8 * 8 * 8;                    // 4 x H/8 x W/8 latents at 8 bits
        assertEquals(seedBits, report.get("uplinkBits").asLong());
        assertEquals(seedBits, report.get("downlinkBits").asLong());
        double psnr = report.get("psnrDb").asDouble();
        assertTrue(psnr > 0 && psnr < 60, "a noisy channel at -5 dB changes the output: PSNR " + psnr);

        Path again = tmp.resolve("run2");
        assertEquals(0, meg("run", "--protocol", "CIAG", "--snr-db", "-5", "--prompt", "corals", "--image", image64.toString(),
                "--seed", "7", "--out", again.toString(), "--model", TINY, "--codec", "taesd", "--steps", "3").code());
        assertArrayEquals(Files.readAllBytes(out.resolve("output.png")), Files.readAllBytes(again.resolve("output.png")),
                "same seed, same bytes");
    }

    @Test
    void sweepWritesResultsAndResumes() throws Exception {
        Path out = tmp.resolve("sweep");
        String[] args = {"sweep", "--protocols", "CIAG,UIEG", "--snr-db", "-10,10", "--seeds", "1", "--matched", "off",
                "--prompt", "corals", "--image", image64.toString(), "--out", out.toString(), "--model", TINY,
                "--codec", "taesd", "--steps", "2"};
        Outcome first = meg(args);
        assertEquals(0, first.code(), first.err());
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals(1 + 2 * 2, csv.size(), String.join("\n", csv));
        for (String plot : List.of("quality_psnr.png", "quality_ssim.png", "bits.png", "latency.png")) {
            assertTrue(Files.size(out.resolve(plot)) > 1000, plot);
        }
        long lines = Files.readAllLines(out.resolve("results.jsonl")).size();
        Outcome second = meg(args);
        assertEquals(0, second.code(), second.err());
        assertEquals(lines, Files.readAllLines(out.resolve("results.jsonl")).size(), "a re-run adds no finished point");
    }

    @Test
    void compareWritesALabelledPanelAndATableRow() throws Exception {
        Path out = tmp.resolve("compare");
        Outcome o = meg("compare", "--protocols", "full-UE,CIAG,UIDCG", "--snr-db", "0", "--prompt", "corals",
                "--image", image64.toString(), "--out", out.toString(), "--model", TINY, "--codec", "taesd", "--steps", "2");
        assertEquals(0, o.code(), o.err());
        BufferedImage panel = ImageIO.read(out.resolve("panel.png").toFile());
        assertTrue(panel.getWidth() >= 4 * 64, "input and three outputs side by side: " + panel.getWidth());
        for (String p : List.of("full-UE", "CIAG", "UIDCG")) {
            assertTrue(o.out().lines().anyMatch(l -> l.startsWith(p + " ")), "table row for " + p + ":\n" + o.out());
            assertTrue(Files.isRegularFile(out.resolve(p + ".png")));
        }
        JsonNode runs = JSON.readTree(out.resolve("compare.json").toFile()).get("runs");
        assertEquals(3, runs.size());
        assertEquals(0, runs.get(0).get("uplinkBits").asLong(), "full-UE sends nothing");
    }

    @Test
    void txt2imgUsesTheGivenInitialNoiseAndIsDeterministic() throws Exception {
        Path noiseA = tmp.resolve("noiseA.safetensors");
        Path noiseB = tmp.resolve("noiseB.safetensors");
        org.meg.io.SafeTensorsWriter.create().put("initial_latents", org.meg.sampling.SeededNoise.of(1)
                .normal("initial_latents", 1, 4, 8, 8)).write(noiseA);
        org.meg.io.SafeTensorsWriter.create().put("initial_latents", org.meg.sampling.SeededNoise.of(2)
                .normal("initial_latents", 1, 4, 8, 8)).write(noiseB);
        Path a1 = tmp.resolve("a1.png");
        Path a2 = tmp.resolve("a2.png");
        Path b = tmp.resolve("b.png");
        Path lat = tmp.resolve("t2i-latents.safetensors");
        for (Object[] run : new Object[][] {{noiseA, a1}, {noiseA, a2}, {noiseB, b}}) {
            Outcome o = meg("txt2img", "--model", TINY, "--codec", "taesd", "--prompt", "a red apple", "--width", "64",
                    "--height", "64", "--steps", "3", "--noise", run[0].toString(), "--save-latents", lat.toString(),
                    "--out", run[1].toString());
            assertEquals(0, o.code(), o.err());
        }
        assertArrayEquals(Files.readAllBytes(a1), Files.readAllBytes(a2), "same noise, same bytes");
        assertTrue(!java.util.Arrays.equals(Files.readAllBytes(a1), Files.readAllBytes(b)), "other noise, other image");
        try (SafeTensorsFile saved = SafeTensorsFile.open(lat)) {
            assertArrayEquals(new long[] {667, 334, 1}, saved.longs("timesteps"), "DDIM 3 steps: (0, 333, 666) + offset 1, descending");
        }
    }

    @Test
    void modelsChecksEachCheckpointAndFlagsBrokenOnes() throws Exception {
        byte[] all = Files.readAllBytes(Path.of(TINY));
        Path truncated = Files.write(tmp.resolve("cut.safetensors"), java.util.Arrays.copyOf(all, all.length / 2));
        Outcome ok = meg("models", TINY, Reference.sdTiny("models/tiny-sd/diffusers").toString());
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertEquals(2, ok.out().lines().filter(l -> l.contains("OK: SD 1.x, U-Net 32 ch")).count(), ok.out());
        Outcome bad = meg("models", TINY, truncated.toString(), tmp.resolve("absent.safetensors").toString());
        assertEquals(1, bad.code(), "a broken checkpoint is a failed check, not bad usage");
        assertTrue(bad.out().lines().anyMatch(l -> l.contains("cut.safetensors") && l.contains("INVALID")), bad.out());
        assertTrue(bad.out().lines().anyMatch(l -> l.contains("absent.safetensors") && l.contains("MISSING")), bad.out());
    }
}
