package org.meg.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.meg.protocol.dsl.ProtocolException;
import org.meg.protocol.dsl.ProtocolScript;
import org.meg.protocol.dsl.Validator;
import org.meg.protocol.dsl.ValueType;

/** The protocol DSL: every built-in script validates; each kind of mistake is named with its step. */
class ValidatorTest {
    private static String error(String script, int n) {
        return assertThrows(ProtocolException.class, () -> Validator.validate(ProtocolScript.parse(script), n)).getMessage();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5})
    void everyBuiltinValidates(int n) {
        for (String name : Protocols.NAMES) {
            Validator.Held out = Validator.validate(Protocols.get(name), n);
            assertEquals(ValueType.IMAGE, out.type(), name);
        }
    }

    @Test
    void valueOnTheWrongNode() {
        String m = error("protocol X\nUE: seed = encode(image)\nES: g = denoise(seed, prompt)\nES -> UE: g\nUE: output = decode(g)", 1);
        assertTrue(m.contains("line 3") && m.contains("'seed' is not on ES1"), m);
    }

    @Test
    void sendFromTheWrongSide() {
        String m = error("protocol X\nUE: seed = encode(image)\nES -> UE: seed\nUE: output = decode(seed)", 1);
        assertTrue(m.contains("line 3") && m.contains("'seed' is not on ES1"), m);
        m = error("protocol X\nUE -> UE: image\nUE: output = decode(image)", 1);
        assertTrue(m.contains("UE to UE"), m);
    }

    @Test
    void unusedResult() {
        String m = error("protocol X\nUE: seed = encode(image)\nUE: spare = encode(image)\nUE: g = denoise(seed, prompt)\nUE: output = decode(g)", 1);
        assertTrue(m.contains("'spare'") && m.contains("never used") && m.contains("line 3"), m);
    }

    @Test
    void typeErrorsNameTheArgument() {
        String m = error("protocol X\nUE: output = decode(image)", 1);
        assertTrue(m.contains("line 2") && m.contains("must be SEED"), m);
        m = error("protocol X\nUE: output = warp(image)", 1);
        assertTrue(m.contains("unknown stage 'warp'"), m);
    }

    @Test
    void missingOutputAndUnknownNodes() {
        assertTrue(error("protocol X\nUE: seed = encode(image)", 1).contains("never defines 'output'"));
        String m = assertThrows(ProtocolException.class, () -> ProtocolScript.parse("protocol X\nBS: s = encode(image)")).getMessage();
        assertTrue(m.contains("unknown node 'BS'"), m);
        m = error("protocol X\nUE -> ES3: image\nES3: s = encode(image)\nES3: output = decode(s)\nES3 -> UE: output", 2);
        assertTrue(m.contains("ES3 does not exist with N = 2"), m);
    }

    @Test
    void edgeServersMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> Validator.validate(Protocols.get("UIDG"), 0));
    }

    @Test
    void unknownProtocolListsKnownOnes() {
        String m = assertThrows(IllegalArgumentException.class, () -> Protocols.get("XYZ")).getMessage();
        assertTrue(m.contains("unknown protocol 'XYZ'") && m.contains("CIAG"), m);
        assertEquals(11, Protocols.list("all").size());
        assertEquals("CIAG", Protocols.get("ciag").name());
    }

    @Test
    void aUserProtocolInAFewLines() {
        // the UE encodes and decodes; the ES only denoises a broadcast seed, the UE picks one
        String script = """
                protocol MINE "seed out, candidates back"
                UE: seed = encode(image)
                UE -> ES*: prompt
                UE -> ES*: seed
                ES*: g = denoise(seed, prompt)
                ES* -> UE: g
                UE: best = select(g)
                UE: output = decode(best)
                """;
        assertEquals(ValueType.IMAGE, Validator.validate(ProtocolScript.parse(script), 3).type());
    }
}
