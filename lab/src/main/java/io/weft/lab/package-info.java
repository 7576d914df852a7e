/**
 * Whole clusters in network namespaces on one machine: {@code weft lab}, {@code weft demo}, and the
 * views {@code weft trace} and {@code weft doctor} take of a lab. Nothing here touches the root namespace.
 */
package io.weft.lab;
