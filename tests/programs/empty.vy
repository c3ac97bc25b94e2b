# The smallest program: no op id, workgroup (1, 1, 1), no buffers and an
# empty entry (not even a root Region).
program workgroup(1) {
}
