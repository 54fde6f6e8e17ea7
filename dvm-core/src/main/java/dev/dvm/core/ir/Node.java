package dev.dvm.core.ir;

import dev.dvm.core.DType;
import java.util.List;

/**
 * One meta-op in a kernel graph. Nodes are immutable and numbered in creation order, which is a
 * topological order: every input has a smaller id.
 *
 * @param id index in {@link Graph#nodes()}
 * @param op the meta-op
 * @param inputs operands, already of the dtypes the op needs
 * @param dtype the output dtype (fixed when the graph is built; shapes come per instance)
 * @param attrs op-specific attributes
 */
public record Node(int id, Op op, List<Node> inputs, DType dtype, Attrs attrs) {
    /** Operand {@code i}. */
    public Node input(int i) {
        return inputs.get(i);
    }

    /** Short text such as {@code %3 = add(%1, %2) : f32}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("%").append(id).append(" = ").append(op.name().toLowerCase(java.util.Locale.ROOT)).append('(');
        for (int i = 0; i < inputs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('%').append(inputs.get(i).id());
        }
        return sb.append(") : ").append(dtype.name().toLowerCase(java.util.Locale.ROOT)).toString();
    }
}
