# Array elements have stride 0 (min_bytes 0), so every load gives zero bytes
# and every store is dropped; BufLen is the byte length (vyre-ir.md §4.2,
# §4.3, §8.16). arr keeps its input; n[0] = len(arr) = 8 bytes.
# >>> input arr = 0102030405060708
# >>> input n = 0
# >>> expect arr = 01 02 03 04 05 06 07 08
# >>> expect n = 8
# >>> tags: memory array
# >>> no-validate
program {
  buffer arr: array<4> read_write @0
  buffer n: u32 read_write @1 count(1)
  region vyre.program.root {
    arr[0] = 0xFFFFFFFF
    arr[1] = arr[0]
    n[0] = len(arr)
  }
}
