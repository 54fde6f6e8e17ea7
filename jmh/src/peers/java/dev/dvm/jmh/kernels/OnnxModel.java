package dev.dvm.jmh.kernels;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes ONNX models (ir_version 8, opset 17 unless given, f32 only) as protobuf bytes, so the
 * benchmarks need neither protobuf-java nor the ONNX schema. Only the fields the benchmarks use are
 * encoded: model (ir_version, opset_import, graph), graph (node, initializer, input, output), node
 * (input, output, op_type, attribute), value info with {@code dim_param} for dynamic dims, and
 * tensors with {@code raw_data}. Field numbers are those of onnx.proto3.
 */
public final class OnnxModel {
    private static final int IR_VERSION = 8;
    private static final int DEFAULT_OPSET = 17;
    private static final int FLOAT = 1; // TensorProto.DataType.FLOAT
    private static final int ATTR_FLOAT = 1;
    private static final int ATTR_INT = 2;
    private static final int ATTR_INTS = 7;

    private final int opset;
    private final List<byte[]> nodes = new ArrayList<>();
    private final List<byte[]> initializers = new ArrayList<>();
    private final List<byte[]> inputs = new ArrayList<>();
    private final List<byte[]> outputs = new ArrayList<>();
    private int nextName;

    /** A model importing opset {@value #DEFAULT_OPSET} of the default ONNX domain. */
    public OnnxModel() {
        this(DEFAULT_OPSET);
    }

    /** A model importing {@code opset} of the default ONNX domain (20 or later for the {@code Gelu} op). */
    public OnnxModel(int opset) {
        this.opset = opset;
    }

    /** Declares a graph input; a {@code null} entry in {@code dims} is the dynamic dim "s". */
    public String input(String name, Long... dims) {
        inputs.add(valueInfo(name, dims));
        return name;
    }

    /** Declares {@code value} as the graph output {@code name} (an Identity node renames it). */
    public void output(String value, String name, Long... dims) {
        nodes.add(node("Identity", new String[] {value}, name, List.of()));
        outputs.add(valueInfo(name, dims));
    }

    /** A scalar f32 constant. */
    public String constant(float value) {
        String name = fresh();
        Proto t = new Proto();
        t.int32(2, FLOAT);
        t.string(8, name);
        t.bytes(9, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value).array());
        initializers.add(t.toBytes());
        return name;
    }

    /** Adds {@code opType(inputs)} with attributes made by {@link #floatAttr}, {@link #intAttr}, {@link #intsAttr}. */
    String op(String opType, List<byte[]> attributes, String... in) {
        String out = fresh();
        nodes.add(node(opType, in, out, attributes));
        return out;
    }

    public String op(String opType, String... in) {
        return op(opType, List.of(), in);
    }

    static byte[] floatAttr(String name, float value) {
        Proto a = new Proto();
        a.string(1, name);
        a.fixed32(2, Float.floatToRawIntBits(value));
        a.int32(20, ATTR_FLOAT);
        return a.toBytes();
    }

    static byte[] intAttr(String name, long value) {
        Proto a = new Proto();
        a.string(1, name);
        a.int64(3, value);
        a.int32(20, ATTR_INT);
        return a.toBytes();
    }

    static byte[] intsAttr(String name, long... values) {
        Proto a = new Proto();
        a.string(1, name);
        for (long v : values) {
            a.int64(8, v);
        }
        a.int32(20, ATTR_INTS);
        return a.toBytes();
    }

    /** The serialised ModelProto. */
    public byte[] toBytes(String graphName) {
        Proto graph = new Proto();
        nodes.forEach(n -> graph.bytes(1, n));
        graph.string(2, graphName);
        initializers.forEach(t -> graph.bytes(5, t));
        inputs.forEach(v -> graph.bytes(11, v));
        outputs.forEach(v -> graph.bytes(12, v));
        Proto opset = new Proto();
        opset.string(1, "");
        opset.int64(2, this.opset);
        Proto model = new Proto();
        model.int64(1, IR_VERSION);
        model.string(2, "dvm4j-jmh");
        model.bytes(7, graph.toBytes());
        model.bytes(8, opset.toBytes());
        return model.toBytes();
    }

    private String fresh() {
        return "t" + nextName++;
    }

    private static byte[] node(String opType, String[] in, String out, List<byte[]> attributes) {
        Proto n = new Proto();
        for (String i : in) {
            n.string(1, i);
        }
        n.string(2, out);
        n.string(3, out);
        n.string(4, opType);
        attributes.forEach(a -> n.bytes(5, a));
        return n.toBytes();
    }

    private static byte[] valueInfo(String name, Long... dims) {
        Proto shape = new Proto();
        for (Long d : dims) {
            Proto dim = new Proto();
            if (d == null) {
                dim.string(2, "s");
            } else {
                dim.int64(1, d);
            }
            shape.bytes(1, dim.toBytes());
        }
        Proto tensorType = new Proto();
        tensorType.int32(1, FLOAT);
        tensorType.bytes(2, shape.toBytes());
        Proto type = new Proto();
        type.bytes(1, tensorType.toBytes());
        Proto v = new Proto();
        v.string(1, name);
        v.bytes(2, type.toBytes());
        return v.toBytes();
    }

    /** One protobuf message being written: tag-length-value fields in the order they are added. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void int32(int field, int value) {
            int64(field, value);
        }

        void int64(int field, long value) {
            varint((long) field << 3);
            varint(value);
        }

        void fixed32(int field, int bits) {
            varint((long) field << 3 | 5);
            for (int i = 0; i < 4; i++) {
                out.write(bits >>> (8 * i));
            }
        }

        void string(int field, String value) {
            bytes(field, value.getBytes(StandardCharsets.UTF_8));
        }

        void bytes(int field, byte[] value) {
            varint((long) field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }
    }
}
