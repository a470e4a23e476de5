package scn.check;

import java.util.ArrayList;
import java.util.List;

/** What a check found wrong, each naming the layer, the tensor, the worst element and its error. */
public final class Problems {
    /** One finding. */
    public record Problem(String layer, String tensor, String detail) {
        @Override
        public String toString() {
            return layer + " / " + tensor + ": " + detail;
        }
    }

    private final List<Problem> list = new ArrayList<>();

    void add(String layer, String tensor, String detail) {
        list.add(new Problem(layer, tensor, detail));
    }

    public List<Problem> list() {
        return List.copyOf(list);
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }
}
