package io.weft.lab.trace;

import io.weft.cni.json.Json;
import io.weft.lab.trace.svg.TopologySvg;
import io.weft.netlink.IpPrefix;
import io.weft.netlink.ns.NetNamespace;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.weft.lab.trace.Hop.*;
import static io.weft.lab.trace.IpView.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Traces in one in-process cluster (see {@link TraceCluster}), checked step by step against what
 * {@code ip -j} and {@code bridge -j} show: same node, cross node through VXLAN, cross node by direct routing.
 */
class TracePathTest {
    @TempDir
    static Path dir;
    private static TraceCluster cluster;

    @BeforeAll
    static void buildCluster() throws Exception {
        cluster = new TraceCluster(dir);
    }

    @AfterAll
    static void removeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static NetNamespace ns(String name) {
        return cluster.namespace(name);
    }

    @Test
    void podsOnOneNodeGoEth0VethBridgeArpVethEth0() {
        Trace trace = cluster.trace("node1-pod1", "node1-pod2");

        assertThat(trace.broken()).as(TraceReport.text(trace)).isFalse();
        assertThat(trace.outOfView()).isNull();
        assertThat(trace.path()).isEqualTo(PathKind.SAME_NODE);
        assertThat(trace.steps()).extracting(Step::hop)
                .containsExactly(ROUTE, POD_INTERFACE, VETH, BRIDGE, ARP, BRIDGE_FDB, VETH, POD_INTERFACE);
        assertThat(trace.steps()).extracting(Step::where)
                .containsExactly("node1-pod1", "node1-pod1", "node1", "node1", "node1-pod1", "node1", "node1", "node1-pod2");

        JsonNode route = routeGet(ns("node1-pod1"), "10.42.1.3");
        assertThat(trace.step(1).facts()).containsEntry("dev", route.get("dev").asString())
                .containsEntry("src", route.get("prefsrc").asString()).doesNotContainKey("gateway");
        podInterface(trace.step(2), "node1-pod1");
        assertThat(trace.step(3).fact("interface")).isEqualTo(vethOf(ns("node1-pod1"), ns("node1")));
        assertThat(trace.step(3).fact("master")).isEqualTo("cni0");
        bridge(trace.step(4), "node1");
        assertThat(trace.step(5).facts()).containsEntry("address", "10.42.1.3")
                .containsEntry("expected-mac", mac(ns("node1-pod2"), "eth0"));
        assertThat(trace.step(6).fact("mac")).isEqualTo(mac(ns("node1-pod2"), "eth0"));
        assertThat(trace.step(7).fact("interface")).isEqualTo(vethOf(ns("node1-pod2"), ns("node1")));
        podInterface(trace.step(8), "node1-pod2");
    }

    @Test
    void podsOnNodesOnDifferentSubnetsGoThroughVxlanBetweenTheNodes() {
        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        assertThat(trace.broken()).as(TraceReport.text(trace)).isFalse();
        assertThat(trace.path()).isEqualTo(PathKind.VXLAN);
        assertThat(trace.steps()).extracting(Step::hop).containsExactly(
                ROUTE, POD_INTERFACE, VETH, BRIDGE, ARP,
                ROUTE, VXLAN, VTEP_NEIGHBOUR, VTEP_FDB, ROUTE, UNDERLAY, ENCAPSULATION,
                UNDERLAY, VXLAN, ROUTE, BRIDGE, ARP, BRIDGE_FDB, VETH, POD_INTERFACE);

        JsonNode podRoute = routeGet(ns("node1-pod1"), "10.42.3.2");
        assertThat(trace.step(1).facts()).containsEntry("gateway", podRoute.get("gateway").asString()).containsEntry("dev", "eth0");
        podInterface(trace.step(2), "node1-pod1");
        assertThat(trace.step(3).fact("interface")).isEqualTo(vethOf(ns("node1-pod1"), ns("node1")));
        bridge(trace.step(4), "node1");
        assertThat(trace.step(5).facts()).containsEntry("address", "10.42.1.1").containsEntry("expected-mac", mac(ns("node1"), "cni0"));

        JsonNode nodeRoute = routeGet(ns("node1"), "10.42.3.2", "10.42.1.2", "cni0");
        assertThat(trace.step(6).facts()).containsEntry("gateway", nodeRoute.get("gateway").asString())
                .containsEntry("dev", nodeRoute.get("dev").asString()).containsEntry("dev", "weft.1")
                .containsEntry("from", "10.42.1.2").containsEntry("iif", nodeRoute.get("iif").asString()).containsEntry("iif", "cni0");
        assertThat(trace.step(6).summary()).isEqualTo("10.42.3.2 from 10.42.1.2 via 10.42.3.0 dev weft.1 iif cni0");
        JsonNode device = link(ns("node1"), "weft.1");
        JsonNode vxlan = device.get("linkinfo").get("info_data");
        assertThat(trace.step(7).facts()).containsEntry("vni", vxlan.get("id").asString()).containsEntry("port", vxlan.get("port").asString())
                .containsEntry("local", vxlan.get("local").asString()).containsEntry("underlay", vxlan.get("link").asString())
                .containsEntry("mtu", device.get("mtu").asString()).containsEntry("mac", device.get("address").asString())
                .containsEntry("learning", "false").containsEntry("state", "UP");
        assertThat(trace.step(8).facts()).containsEntry("address", "10.42.3.0")
                .containsEntry("mac", neighbourMac(ns("node1"), "weft.1", "10.42.3.0")).containsEntry("mac", TraceCluster.MAC_3)
                .containsEntry("state", "PERMANENT");
        assertThat(trace.step(9).facts()).containsEntry("mac", TraceCluster.MAC_3)
                .containsEntry("dst", fdbDestination(ns("node1"), "weft.1", TraceCluster.MAC_3)).containsEntry("dst", "198.51.100.3");
        JsonNode underlayRoute = routeGet(ns("node1"), "198.51.100.3");
        assertThat(trace.step(10).facts()).containsEntry("gateway", underlayRoute.get("gateway").asString())
                .containsEntry("dev", underlayRoute.get("dev").asString());
        assertThat(trace.step(11).facts()).containsEntry("interface", "eth0").containsEntry("mac", mac(ns("node1"), "eth0"))
                .containsEntry("ip", address(ns("node1"), "eth0"));
        assertThat(trace.step(12).facts()).containsEntry("outer-src", "192.0.2.1").containsEntry("outer-dst", "198.51.100.3")
                .containsEntry("udp-port", "8472").containsEntry("vni", "1")
                .containsEntry("inner-src-mac", TraceCluster.MAC_1).containsEntry("inner-dst-mac", TraceCluster.MAC_3)
                .containsEntry("inner-src", "10.42.1.2").containsEntry("inner-dst", "10.42.3.2");

        assertThat(trace.step(13).where()).isEqualTo("node3");
        assertThat(trace.step(13).facts()).containsEntry("interface", "eth0").containsEntry("mac", mac(ns("node3"), "eth0"));
        assertThat(trace.step(14).facts()).containsEntry("interface", "weft.1").containsEntry("mac", mac(ns("node3"), "weft.1"))
                .containsEntry("mac", TraceCluster.MAC_3);
        JsonNode arrived = routeGet(ns("node3"), "10.42.3.2", "10.42.1.2", "weft.1");
        assertThat(trace.step(15).facts()).containsEntry("dev", arrived.get("dev").asString()).containsEntry("dev", "cni0")
                .containsEntry("from", "10.42.1.2").containsEntry("iif", arrived.get("iif").asString()).containsEntry("iif", "weft.1");
        bridge(trace.step(16), "node3");
        assertThat(trace.step(17).facts()).containsEntry("address", "10.42.3.2").containsEntry("expected-mac", mac(ns("node3-pod1"), "eth0"));
        assertThat(trace.step(18).fact("mac")).isEqualTo(mac(ns("node3-pod1"), "eth0"));
        assertThat(trace.step(19).fact("interface")).isEqualTo(vethOf(ns("node3-pod1"), ns("node3")));
        podInterface(trace.step(20), "node3-pod1");
    }

    @Test
    void podsOnNodesOnOneUnderlaySubnetAreRoutedViaThePeersUnderlayAddress() {
        Trace trace = cluster.trace("node1-pod1", "10.42.2.2");

        assertThat(trace.broken()).as(TraceReport.text(trace)).isFalse();
        assertThat(trace.path()).isEqualTo(PathKind.DIRECT_ROUTING);
        assertThat(trace.steps()).extracting(Step::hop).containsExactly(
                ROUTE, POD_INTERFACE, VETH, BRIDGE, ARP, ROUTE, UNDERLAY, UNDERLAY, ROUTE, BRIDGE, ARP, BRIDGE_FDB, VETH, POD_INTERFACE);
        assertThat(trace.steps()).noneMatch(step -> step.hop() == VXLAN || step.hop() == ENCAPSULATION);
        JsonNode nodeRoute = routeGet(ns("node1"), "10.42.2.2", "10.42.1.2", "cni0");
        assertThat(trace.step(6).facts()).containsEntry("gateway", nodeRoute.get("gateway").asString()).containsEntry("gateway", "192.0.2.2")
                .containsEntry("dev", nodeRoute.get("dev").asString()).containsEntry("dev", "eth0").containsEntry("iif", "cni0");
        assertThat(trace.step(7).facts()).containsEntry("interface", "eth0").containsEntry("next-hop", "192.0.2.2");
        assertThat(trace.step(8).where()).isEqualTo("node2");
        assertThat(trace.step(8).facts()).containsEntry("ip", "192.0.2.2").containsEntry("mac", mac(ns("node2"), "eth0"));
        JsonNode arrived = routeGet(ns("node2"), "10.42.2.2", "10.42.1.2", "eth0");
        assertThat(trace.step(9).facts()).containsEntry("dev", arrived.get("dev").asString()).containsEntry("dev", "cni0")
                .containsEntry("from", "10.42.1.2").containsEntry("iif", "eth0");
        podInterface(trace.step(14), "node2-pod1");
    }

    @Test
    void jsonCarriesEveryStepWithItsFactsAndNoBreak() throws Exception {
        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        JsonNode json = Json.mapper().readTree(TraceReport.json(trace).toString());

        assertThat(json.get("path").asString()).isEqualTo("vxlan");
        assertThat(json.get("complete").asBoolean()).isTrue();
        assertThat(json.get("break").isNull()).isTrue();
        assertThat(json.get("source").get("ip").asString()).isEqualTo("10.42.1.2");
        assertThat(json.get("destination").get("node").asString()).isEqualTo("node3");
        assertThat(json.get("steps")).hasSize(trace.steps().size());
        JsonNode fdb = json.get("steps").get(8);
        assertThat(fdb.get("number").asInt()).isEqualTo(9);
        assertThat(fdb.get("hop").asString()).isEqualTo("vxlan-fdb");
        assertThat(fdb.get("facts").get("dst").asString()).isEqualTo("198.51.100.3");
        assertThat(TraceReport.text(trace)).contains(" 9. node1       vxlan fdb   " + TraceCluster.MAC_3 + " dst 198.51.100.3")
                .contains("The path is complete");
    }

    @Test
    void svgIsWellFormedAndDrawsEveryElementOfThePathHighlighted() throws Exception {
        Trace trace = cluster.trace("node1-pod1", "node3-pod1");

        String svg = TopologySvg.render(Topology.read(TraceScope.of(cluster)), trace);

        Document document = DocumentBuilderFactory.newNSInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(document.getDocumentElement().getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        Map<String, Element> byId = new HashMap<>();
        NodeList groups = document.getElementsByTagNameNS("http://www.w3.org/2000/svg", "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element group = (Element) groups.item(i);
            if (group.hasAttribute("id")) {
                assertThat(byId.put(group.getAttribute("id"), group)).as("duplicate id " + group.getAttribute("id")).isNull();
            }
        }
        List<String> path = trace.elements();
        assertThat(path).contains("pod--node1-pod1--eth0", "dev--node1--cni0", "dev--node1--weft.1", "dev--node1--eth0",
                "wire--node1--node3", "dev--node3--eth0", "dev--node3--weft.1", "dev--node3--cni0", "pod--node3-pod1--eth0");
        for (String id : path) {
            assertThat(byId).as("element " + id).containsKey(id);
            assertThat(byId.get(id).getAttribute("class")).as(id).contains("on-path");
        }
        assertThat(byId.get("dev--node2--weft.1").getAttribute("class")).doesNotContain("on-path");
        assertThat(byId).containsKeys("node--node1", "node--node2", "node--node3", "pod--node1-pod2", "pod--node2-pod1");
        assertThat(svg).contains(">node1-pod1<", ">weft.1<", ">cni0<", "VXLAN VNI 1 in UDP 192.0.2.1 → 198.51.100.3:8472");
    }

    @Test
    void aDestinationOnANodeOutOfViewEndsTheWalkWhereThePacketLeavesWithoutABreak() throws Exception {
        TraceScope full = TraceScope.of(cluster);
        TraceEndpoint source = full.resolve("node1-pod1");
        TraceScope realNode = new TraceScope(List.of(source.node()), List.of(source));
        TraceEndpoint remote = new TraceEndpoint("10.42.3.2", IpPrefix.parseAddress("10.42.3.2"), null, null);

        Trace trace = Tracer.trace(realNode, source, remote);

        assertThat(trace.broken()).isFalse();
        assertThat(trace.steps().getLast().hop()).isEqualTo(ENCAPSULATION);
        assertThat(trace.outOfView()).isEqualTo("the encapsulated packet leaves node1 through eth0 for 198.51.100.3, a node not in view");
        assertThat(TraceReport.text(trace)).contains("Out of view after step 12");
        String svg = TopologySvg.render(Topology.read(realNode), trace);
        Document document = DocumentBuilderFactory.newNSInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("id=\"wire--node1--198.51.100.3\"");
    }

    /** A pod's eth0 step against {@code ip -j link/addr show eth0} in the pod. */
    private static void podInterface(Step step, String pod) {
        assertThat(step.hop()).isEqualTo(POD_INTERFACE);
        assertThat(step.where()).isEqualTo(pod);
        assertThat(step.facts()).containsEntry("interface", "eth0").containsEntry("mac", mac(ns(pod), "eth0"))
                .containsEntry("mtu", mtu(ns(pod), "eth0")).containsEntry("ip", address(ns(pod), "eth0"))
                .containsEntry("state", "UP");
        assertThat(step.fact("ip")).startsWith(cluster.pod(pod).ip() + "/");
    }

    private static void bridge(Step step, String node) {
        assertThat(step.hop()).isEqualTo(BRIDGE);
        assertThat(step.facts()).containsEntry("interface", "cni0").containsEntry("mac", mac(ns(node), "cni0"))
                .containsEntry("ip", address(ns(node), "cni0")).containsEntry("mtu", mtu(ns(node), "cni0"));
    }
}
