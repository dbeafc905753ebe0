package org.meg.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pickle VM on streams written by CPython's pickle (values_p*.pkl) and on hand-made hostile ones. */
class RestrictedUnpicklerTest {
    static byte[] resource(String name) throws IOException {
        try (InputStream in = RestrictedUnpicklerTest.class.getResourceAsStream("/ckpt/" + name)) {
            return in.readAllBytes();
        }
    }

    private static Object load(String hex) {
        return RestrictedUnpickler.load(HexFormat.of().parseHex(hex), pid -> {
            throw new PickleException("no persistent ids here");
        });
    }

    private static String fails(String hex) {
        return assertThrows(PickleException.class, () -> load(hex)).getMessage();
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5})
    void readsCpythonValues(int protocol) throws IOException {
        Object v = RestrictedUnpickler.load(resource("values_p" + protocol + ".pkl"), pid -> null);
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "c"), List.copyOf(m.keySet()));
        List<?> a = (List<?>) m.get("a");
        assertEquals(List.of(1L, -2L, 300L, 70000L, -(1L << 40), BigInteger.ONE.shiftLeft(70), 1.5, "\u00e9"),
                a.subList(0, 8));
        assertEquals(Arrays.asList(null, true, false), ((PickleTuple) a.get(8)).items());
        assertEquals(0, ((PickleTuple) a.get(9)).size());
        assertArrayEquals(new byte[] {'x', 'y'}, (byte[]) m.get("b"));
        assertEquals("e".repeat(300), ((Map<?, ?>) m.get("c")).get("d"));
    }

    @Test
    void protocol2BytesNeedCodecsAndAreRefused() throws IOException {
        String msg = assertThrows(PickleException.class,
                () -> RestrictedUnpickler.load(resource("values_p2.pkl"), pid -> null)).getMessage();
        assertTrue(msg.contains("refusing to import _codecs.encode at offset"), msg);
    }

    @Test
    void refusesGlobalsOffTheListWithNameAndOffset() {
        // PROTO 2, GLOBAL 'os system', STOP
        String msg = fails("8002" + "636f730a73797374656d0a" + "2e");
        assertEquals("refusing to import os.system at offset 2 (not on the allow-list of torch tensor globals)", msg);
        // PROTO 4, 'builtins' 'eval' STACK_GLOBAL
        msg = fails("8004" + "8c086275696c74696e73" + "8c046576616c" + "93" + "2e");
        assertTrue(msg.contains("refusing to import builtins.eval at offset 18"), msg);
    }

    @Test
    void malformedStreamsAreErrorsNamingTheProblem() {
        assertTrue(fails("8002ff").contains("unsupported opcode 0xff"));
        assertTrue(fails("80022e").contains("stack underflow"));
        assertTrue(fails("80024e28302e").contains("stack underflow")); // POP below a MARK
        assertTrue(fails("8002582c010000616263").contains("runs past the end"));
        assertTrue(fails("80028effffffffffffff7f").contains("runs past the end"));
        assertTrue(fails("80024a0100").contains("truncated"));
        assertTrue(fails("80026805").contains("memo index 5 was never stored"));
        assertTrue(fails("8002").contains("truncated"));
        assertTrue(fails("8009").contains("protocol 9"));
        assertTrue(fails("80024b01752e").contains("no MARK"));
        assertTrue(fails("80024b014b02522e").contains("cannot call a Long"));
        assertTrue(fails("80024e4e2e").contains("STOP with 1 values"));
        assertTrue(fails("8002" + "8b" + "00010000").contains("runs past the end")); // LONG4 of 256 bytes, none there
    }

    @Test
    void cyclicKeysAreRefusedNotHashed() {
        // EMPTY_DICT, EMPTY_LIST, BINPUT 0, BINGET 0, APPEND (the list holds itself), NONE, SETITEM
        assertTrue(fails("8002" + "7d" + "5d" + "7100" + "6800" + "61" + "4e" + "73" + "2e")
                .contains("dict key of type ArrayList"));
    }

    @Test
    void boundsTheNumberOfValues() {
        byte[] many = new byte[RestrictedUnpickler.MAX_PUSHES + 3];
        Arrays.fill(many, (byte) 'N');
        many[0] = (byte) 0x80;
        many[1] = 2;
        String msg = assertThrows(PickleException.class, () -> RestrictedUnpickler.load(many, pid -> null)).getMessage();
        assertTrue(msg.contains("more than " + RestrictedUnpickler.MAX_PUSHES), msg);
    }
}
