package dev.vfiosim.simulator.device.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vfiosim.simulator.device.engine.CommandInterfaceState;
import dev.vfiosim.simulator.device.engine.EngineState;
import dev.vfiosim.simulator.device.engine.HcaState;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {
    enum Color implements WireEnum {
        RED(0), GREEN(1);

        private final int wireValue;

        Color(int wireValue) {
            this.wireValue = wireValue;
        }

        @Override
        public int wireValue() {
            return wireValue;
        }
    }

    record Leaf(int a, long b, boolean c, Color color, byte[] blob, String name) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Leaf l && a == l.a && b == l.b && c == l.c && color == l.color
                    && Arrays.equals(blob, l.blob) && name.equals(l.name);
        }

        @Override
        public int hashCode() {
            return a;
        }
    }

    record Tree(Leaf root, List<Leaf> leaves, long tail) {
    }

    @Test
    void roundTripsNestedRecordsAndLists() {
        Tree tree = new Tree(new Leaf(1, -2L, true, Color.GREEN, new byte[] {1, 2, 3}, "root"),
                List.of(new Leaf(7, 8, false, Color.RED, new byte[0], "x"), new Leaf(-1, Long.MAX_VALUE, true, Color.RED,
                        new byte[] {9}, "y")), 42);
        assertEquals(tree, RecordCodec.decode(Tree.class, RecordCodec.encode(tree)));
    }

    @Test
    void roundTripsTheEnginesOwnState() {
        EngineState state = new EngineState(new CommandInterfaceState(HcaState.INITIALIZED, 10, 1, 2, 3),
                List.of(), List.of(), List.of(), List.of());
        assertEquals(state, RecordCodec.decode(EngineState.class, RecordCodec.encode(state)));
    }

    @Test
    void refusesTruncatedAndTrailingBytes() {
        byte[] bytes = RecordCodec.encode(new Tree(new Leaf(1, 2, true, Color.RED, new byte[4], "n"), List.of(), 5));
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(Tree.class, Arrays.copyOf(bytes, bytes.length - 1)));
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(Tree.class, Arrays.copyOf(bytes, bytes.length + 1)));
        byte[] badEnum = bytes.clone();
        int enumAt = 4 + 8 + 1;
        badEnum[enumAt + 1] = 9;
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.decode(Tree.class, badEnum));
    }

    @Test
    void shapeNamesTheLayout() {
        assertEquals("Leaf(int,long,boolean,Color,byte[],String)", RecordCodec.shape(Leaf.class));
        assertNotEquals(RecordCodec.shape(Leaf.class), RecordCodec.shape(Tree.class));
        assertArrayEquals(RecordCodec.encode(new Leaf(1, 2, true, Color.RED, new byte[0], "")),
                RecordCodec.encode(new Leaf(1, 2, true, Color.RED, new byte[0], "")));
    }
}
