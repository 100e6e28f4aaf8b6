// Synchronous simple dual-port RAM: one write port (per-bit write mask) and one read port
// with a registered read (rdata_o is valid the cycle after re_i). Written so that Yosys
// infers block RAM (iCE40 SB_RAM40_4K: the per-bit mask maps to its MASK input in 256x16
// mode; Xilinx RAMB18/36) and Verilator models it cycle-exactly. A read and a write of the
// same address in one cycle is not defined: callers never do it (no_rw_check tells Yosys not
// to add collision bypass logic around the block RAM).
module prim_ram_1r1w #(
  parameter int unsigned Width = 16,
  parameter int unsigned Depth = 256,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  // write port
  input  logic             we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [Width-1:0] wmask_i,  // 1 = write this bit
  // read port
  input  logic             re_i,
  input  logic [Aw-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);
  (* no_rw_check *) logic [Width-1:0] mem [Depth];

  // The same masked write, spelled for each tool: Yosys infers per-bit write enables from the
  // bit loop; Verilator 5.006 rejects delayed array assignments in loops (BLKLOOPINIT), so it
  // gets the equivalent merge of the old and new word.
`ifdef VERILATOR
  always_ff @(posedge clk_i) begin
    if (we_i) mem[waddr_i] <= (mem[waddr_i] & ~wmask_i) | (wdata_i & wmask_i);
  end
`else
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      for (int unsigned i = 0; i < Width; i++) begin
        if (wmask_i[i]) mem[waddr_i][i] <= wdata_i[i];
      end
    end
  end
`endif

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_o <= mem[raddr_i];
  end
endmodule
