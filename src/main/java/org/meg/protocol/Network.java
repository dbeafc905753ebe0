package org.meg.protocol;

import java.util.ArrayList;
import java.util.List;

/** One UE and N edge servers. */
public record Network(NodeProfile ue, List<NodeProfile> edgeServers) {
    /** Validates and copies. */
    public Network {
        if (edgeServers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one edge server");
        }
        edgeServers = List.copyOf(edgeServers);
    }

    /** A UE and {@code n} copies of one ES profile, named ES1..ESn. */
    public static Network of(NodeProfile ue, NodeProfile es, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("number of edge servers N must be >= 1, got " + n);
        }
        List<NodeProfile> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            list.add(es.named("ES" + i));
        }
        return new Network(ue.named("UE"), list);
    }

    /** N. */
    public int size() {
        return edgeServers.size();
    }

    /** The node called "UE" or "ESi". */
    public NodeProfile node(String name) {
        if (name.equals("UE")) {
            return ue;
        }
        return edgeServers.get(Integer.parseInt(name.substring(2)) - 1);
    }
}
