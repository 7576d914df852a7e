/**
 * What {@code weft demo} measures in a lab and how it reports it: the pod-to-pod connectivity matrix
 * ({@link io.weft.lab.measure.ConnectivityMatrix}), throughput over one path
 * ({@link io.weft.lab.measure.Throughput}), and the report of both as text tables and JSON
 * ({@link io.weft.lab.measure.DemoReport}). Every socket is made inside the namespace it measures
 * from or to; nothing here touches the root namespace.
 */
package io.weft.lab.measure;
