/**
 * {@code weft doctor}: checks one node, read only, and names each problem with why it breaks pod
 * traffic and the command or flag that fixes it. A {@link io.weft.lab.doctor.DoctorTarget} says where
 * the node's state is (its namespace, the agent's directories, the store's leases); {@link
 * io.weft.lab.doctor.Doctor} runs every check on it and returns a {@link io.weft.lab.doctor.DoctorReport}.
 */
package io.weft.lab.doctor;
