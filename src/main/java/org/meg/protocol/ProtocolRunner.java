package org.meg.protocol;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.random.RandomGenerator;
import org.meg.channel.Delivery;
import org.meg.channel.Randomness;
import org.meg.channel.Transport;
import org.meg.metrics.BitLedger;
import org.meg.metrics.Latency;
import org.meg.metrics.Link;
import org.meg.metrics.Payload;
import org.meg.protocol.dsl.Node;
import org.meg.protocol.dsl.ProtocolScript;
import org.meg.protocol.dsl.Signature;
import org.meg.protocol.dsl.Step;
import org.meg.protocol.dsl.Validator;
import org.meg.protocol.dsl.ValueType;
import org.meg.protocol.stage.Stages;
import org.meg.protocol.stage.Tile;
import org.meg.protocol.stage.Tiles;
import org.meg.sampling.NoiseSource;
import org.meg.sampling.SeededNoise;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a validated protocol script on a network: computes on the nodes' own stages, sends values
 * through seeded channels, and books every bit and second.
 *
 * <p>Randomness: the generation noise of stage {@code op} on ES i is {@code seed / "op"} for ES1
 * and the UE and {@code seed / "op#i"} for ES i &gt; 1, so ES1 of every protocol draws what a
 * single-ES run draws, and parallel ESs give different candidates. Parts of a split value draw the
 * crop of the unsplit field. A transfer's channel draw is {@code seed / "channel:line:receiver:item"}.
 *
 * <p>Latency: each node has a clock. A compute advances its node's clock by measured seconds /
 * speed. A transfer starts when the sender's clock and the UE's radio (one transfer at a time, in
 * each direction) are free, lasts bits / Shannon rate (digital) or channel uses / bandwidth (analog),
 * and the receiver cannot go on before it ends. ESs marked ES* run at the same time.
 */
public final class ProtocolRunner {
    /** A value item: a tensor or text, maybe a part of a split value, maybe received noisy. */
    private record Item(INDArray tensor, String text, Tile tile, double channelVariance) {
        static Item of(INDArray t, Tile tile) {
            return new Item(t, null, tile, 0.0);
        }
    }

    private record Val(ValueType type, boolean list, List<Item> items) {
        Item one() {
            return items.get(0);
        }
    }

    private final ProtocolScript script;
    private final Network network;
    private final RunSettings settings;
    private final Map<String, Map<String, Val>> held = new HashMap<>();
    private final Map<String, Double> clock = new HashMap<>();
    private final BitLedger ledger = BitLedger.create();
    private final List<RunResult.Event> events = new ArrayList<>();
    private final List<Double> seams = new ArrayList<>();
    private final SeededNoise noise;
    private long sideInfo;
    private double uplinkFree;
    private double downlinkFree;

    private ProtocolRunner(ProtocolScript script, Network network, RunSettings settings) {
        this.script = script;
        this.network = network;
        this.settings = settings;
        this.noise = SeededNoise.of(settings.seed());
    }

    /**
     * Validates, then runs.
     *
     * @param prompt the user's text
     * @param image  the user's image [1, 3, H, W] in [-1, 1], H and W multiples of 8
     */
    public static RunResult run(ProtocolScript script, Network network, String prompt, INDArray image,
                                RunSettings settings) {
        Validator.validate(script, network.size());
        if (prompt == null) {
            throw new IllegalArgumentException("prompt is required (may be empty)");
        }
        if (image.rank() != 4 || image.size(0) != 1 || image.size(1) != 3) {
            throw new IllegalArgumentException("image must be [1, 3, H, W], got " + java.util.Arrays.toString(image.shape()));
        }
        if (image.size(2) % 8 != 0 || image.size(3) % 8 != 0) {
            throw new IllegalArgumentException("image size " + image.size(3) + "x" + image.size(2)
                    + " is not a multiple of 8 in both sides");
        }
        return new ProtocolRunner(script, network, settings).execute(prompt, image);
    }

    private RunResult execute(String prompt, INDArray image) {
        put("UE", "image", new Val(ValueType.IMAGE, false, List.of(Item.of(image, null))));
        put("UE", "prompt", new Val(ValueType.TEXT, false, List.of(new Item(null, prompt, null, 0.0))));
        for (Step step : script.steps()) {
            if (step instanceof Step.Compute c) {
                for (String n : nodes(c.node())) {
                    compute(n, c);
                }
            } else {
                send((Step.Send) step);
            }
        }
        Map<String, INDArray> values = new LinkedHashMap<>();
        held.forEach((node, m) -> m.forEach((name, v) -> {
            if (v.type() == ValueType.TEXT) {
                return;
            }
            for (int i = 0; i < v.items().size(); i++) {
                values.put(node + "/" + name + (v.list() ? "[" + i + "]" : ""), v.items().get(i).tensor());
            }
        }));
        INDArray out = held.get("UE").get("output").one().tensor();
        return new RunResult(script.name(), out, values, ledger.snapshot(), sideInfo, List.copyOf(events),
                clock.getOrDefault("UE", 0.0), List.copyOf(seams));
    }

    private List<String> nodes(Node n) {
        return switch (n.kind()) {
            case UE -> List.of("UE");
            case ES -> List.of("ES" + n.index());
            case EACH_ES -> {
                List<String> l = new ArrayList<>();
                for (int i = 1; i <= network.size(); i++) {
                    l.add("ES" + i);
                }
                yield l;
            }
        };
    }

    private void compute(String node, Step.Compute c) {
        List<Val> args = new ArrayList<>();
        for (String a : c.args()) {
            args.add(held.get(node).get(a));
        }
        Stages stages = network.node(node).stages();
        long t0 = System.nanoTime();
        Val out = switch (Signature.of(c.op())) {
            case SPLIT -> split(args.get(0));
            case MERGE -> merge(args.get(0));
            case SELECT -> select(args.get(0));
            default -> new Val(Signature.of(c.op()).output(), false, List.of(stage(node, c.op(), stages, args)));
        };
        double seconds = Latency.computeSeconds((System.nanoTime() - t0) / 1e9, network.node(node).speed());
        double start = clock.getOrDefault(node, 0.0);
        clock.put(node, start + seconds);
        events.add(new RunResult.Event(c.line(), c.op() + " -> " + c.output(), node, "compute", start, start + seconds));
        put(node, c.output(), out);
    }

    private Item stage(String node, String op, Stages stages, List<Val> args) {
        Item x = args.get(0).one();
        String prompt = args.size() > 1 ? args.get(1).one().text() : heldPrompt(node);
        NoiseSource n = noiseFor(node, op, x.tile());
        double var = settings.snrMatched() ? x.channelVariance() : 0.0;
        INDArray y = switch (op) {
            case "encode" -> stages.encode(x.tensor(), n);
            case "denoise" -> stages.denoise(x.tensor(), prompt, n, var);
            case "decode" -> stages.decode(x.tensor(), prompt, n, var);
            case "sketch" -> stages.sketch(x.tensor(), prompt, n);
            case "complete" -> stages.complete(x.tensor(), prompt, n);
            default -> throw new IllegalStateException("no stage " + op);
        };
        return Item.of(y, x.tile());
    }

    private String heldPrompt(String node) {
        Val p = held.getOrDefault(node, Map.of()).get("prompt");
        return p == null ? "" : p.one().text();
    }

    private NoiseSource noiseFor(String node, String op, Tile tile) {
        int es = node.startsWith("ES") ? Integer.parseInt(node.substring(2)) : 1;
        if (tile != null) {
            return Tiles.cropped(noise.derive(op), tile);
        }
        return noise.derive(es > 1 ? op + "#" + es : op);
    }

    private Val split(Val v) {
        Item x = v.one();
        int align = v.type() == ValueType.SEED ? 1 : 8;
        int halo = v.type() == ValueType.SEED ? settings.seedHalo() : settings.imageHalo();
        List<Item> parts = new ArrayList<>();
        for (Tiles.Part p : Tiles.split(x.tensor(), network.size(), halo, align)) {
            parts.add(Item.of(p.tensor(), p.tile()));
        }
        return new Val(v.type(), true, parts);
    }

    private Val merge(Val v) {
        List<Tiles.Part> parts = new ArrayList<>();
        for (Item i : v.items()) {
            if (i.tile() == null) {
                throw new IllegalStateException("merge needs the parts of a split value");
            }
            parts.add(new Tiles.Part(i.tensor(), i.tile()));
        }
        for (int k = 0; k < parts.size() - 1; k++) {
            Tile t = parts.get(k).tile();
            seams.add((double) t.coreEnd() / t.fullWidth());
        }
        return new Val(v.type(), false, List.of(Item.of(Tiles.merge(parts), null)));
    }

    private Val select(Val v) {
        List<INDArray> c = v.items().stream().map(Item::tensor).toList();
        return new Val(v.type(), false, List.of(v.items().get(settings.selector().pick(c))));
    }

    private void send(Step.Send s) {
        List<String> senders = nodes(s.from());
        List<String> receivers = nodes(s.to());
        Link link = s.from().isUe() ? Link.UPLINK : Link.DOWNLINK;
        if (s.from().isUe()) {
            Val v = held.get("UE").get(s.value());
            boolean once = settings.broadcast() && receivers.size() > 1 && !s.scatter();
            double end = -1;
            for (int r = 0; r < receivers.size(); r++) {
                String to = receivers.get(r);
                List<Item> items = s.scatter() ? List.of(v.items().get(r)) : v.items();
                boolean book = !once || r == 0;
                List<Item> got = new ArrayList<>();
                for (int k = 0; k < items.size(); k++) {
                    Transfer t = transfer(s, items.get(k), to, k, v.type());
                    got.add(t.item());
                    if (book) {
                        end = book(s, link, once ? "ES*" : to, "UE", t);
                    }
                }
                put(to, s.value(), new Val(v.type(), v.list() && !s.scatter(), got));
                clock.merge(to, end, Math::max);
            }
        } else {
            List<Item> got = new ArrayList<>();
            ValueType type = null;
            for (String from : senders) {
                Val v = held.get(from).get(s.value());
                type = v.type();
                for (int k = 0; k < v.items().size(); k++) {
                    Transfer t = transfer(s, v.items().get(k), "UE", k + got.size(), v.type());
                    got.add(t.item());
                    double end = book(s, link, from, from, t);
                    clock.merge("UE", end, Math::max);
                }
            }
            boolean list = s.from().kind() == Node.Kind.EACH_ES;
            put("UE", s.value(), new Val(type, list, got));
        }
    }

    private record Transfer(Item item, long bits, long uses, boolean text) {
    }

    private Transfer transfer(Step.Send s, Item item, String to, int k, ValueType type) {
        if (type == ValueType.TEXT) {
            return new Transfer(item, Payload.textBits(item.text()), 0, true);
        }
        Transport tr = settings.link().transport(settings.perfect());
        RandomGenerator rng = Randomness.seeded(SeededNoise.streamSeed(settings.seed(),
                "channel:" + s.line() + ":" + to + ":" + k));
        float[] sent = item.tensor().dup('c').data().asFloat();
        Delivery d = tr.send(sent, rng);
        float[] recv = d.values();
        double err = 0;
        for (int i = 0; i < sent.length; i++) {
            double e = recv[i] - sent[i];
            err += e * e;
        }
        sideInfo += d.sideInformationBits();
        long bits = (long) sent.length * settings.link().bits();
        INDArray t = Nd4j.create(recv.clone(), item.tensor().shape(), 'c');
        // the receiver knows the noise level of what it received (from the SNR and its channel estimate)
        return new Transfer(new Item(t, null, item.tile(), item.channelVariance() + err / sent.length), bits,
                d.channelUses(), false);
    }

    private double book(Step.Send s, Link link, String esNode, String sender, Transfer t) {
        if (t.text()) {
            ledger.recordText(link, esNode, t.item().text());
        } else {
            ledger.record(link, esNode, s.value(), t.bits(), t.uses());
        }
        LinkSettings ls = settings.link();
        double seconds = t.text() || ls.mode() == LinkSettings.Mode.DIGITAL
                ? Latency.digitalSeconds(t.bits(), ls.bandwidthHz(), ls.snrDb())
                : Latency.analogSeconds(t.uses(), ls.bandwidthHz());
        double free = link == Link.UPLINK ? uplinkFree : downlinkFree;
        double start = Math.max(clock.getOrDefault(sender, 0.0), free);
        double end = start + seconds;
        if (link == Link.UPLINK) {
            uplinkFree = end;
        } else {
            downlinkFree = end;
        }
        events.add(new RunResult.Event(s.line(), (t.text() ? "text" : s.value()), sender + "->" + esNode,
                link.name().toLowerCase(java.util.Locale.ROOT), start, end));
        return end;
    }

    private void put(String node, String name, Val v) {
        held.computeIfAbsent(node, k -> new HashMap<>()).put(name, v);
    }
}
