package dev.dvm.bytecode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LayoutTest {
    @Test
    void placeAlignsToTheWidthAndNeverStraddlesAWord() {
        assertEquals(32, Layout.place(32, 32));
        assertEquals(64, Layout.place(32, 64));
        assertEquals(32, Layout.place(32, 8));
        assertEquals(40, Layout.place(33, 8));
        assertEquals(48, Layout.place(40, 16));
        assertEquals(64, Layout.place(40, 32));
        assertEquals(128, Layout.place(96, 64));
        assertEquals(128, Layout.place(128, 64));
        assertEquals(64, Layout.place(56, 16));
    }

    @Test
    void wordsFollowThePackingRule() {
        // Bit positions worked by hand from the Operand Javadoc; the first 32-bit operand rides in the head.
        assertEquals(1, Layout.NONE.words(0));
        assertEquals(3, Layout.UNARY.words(4));         // ub 32, ub 64, n 96, type 128..136
        assertEquals(3, Layout.BINARY.words(5));        // ub 32, 64, 96, n 128, type 160..168
        assertEquals(4, Layout.BINARY_SCALAR.words(6)); // ub 32, 64, n 96, type 128, flags 136, scalar 192..256
        assertEquals(4, Layout.SELECT.words(6));        // ub 32, 64, 96, 128, n 160, type 192..200
        assertEquals(3, Layout.CAST.words(5));          // ub 32, 64, n 96, types 128, 136..144
        assertEquals(3, Layout.FILL.words(4));          // ub 32, n 64, type 96, scalar 128..192
        assertEquals(3, Layout.IOTA.words(5));          // ub 32, n 64, type 96, pitch 128, mod 160..192
        assertEquals(3, Layout.ROW.words(5));           // ub 32, 64, rows 96, pitch 128, type 160..168
        assertEquals(4, Layout.STAGE.words(7 + 1));     // 7 fixed end at 208; dims from 224, 32 each
        assertEquals(5, Layout.STAGE.words(7 + 2));
        assertEquals(31, Layout.STAGE.words(7 + 55));
        assertEquals(4, Layout.MEMORY.words(6 + 1));    // offset 128..192, strides from 192
        assertEquals(4, Layout.MEMORY.words(6 + 2));
        assertEquals(5, Layout.MEMORY.words(6 + 3));
    }

    @Test
    void namesKindsAndRepeatCountsAgree() {
        for (Layout layout : Layout.values()) {
            int fixed = layout.fixed().size();
            for (int i = 0; i < fixed; i++) {
                assertEquals(layout.fixed().get(i), layout.kind(i));
                assertEquals(false, layout.name(i).isBlank(), layout + " operand " + i);
            }
            int finalFixed = fixed;
            assertThrows(IndexOutOfBoundsException.class, () -> layout.name(finalFixed));
            assertEquals(layout.repeated(), layout.kind(fixed));
            if (layout.repeated() == null) {
                assertEquals(-1, layout.repeatCountIndex(), layout.name());
            } else {
                assertEquals(Operand.RANK, layout.kind(layout.repeatCountIndex()), layout.name());
            }
        }
        assertNull(Layout.UNARY.repeated());
    }
}
