// Synchronous single-port RAM for memories larger than the block RAM holds: one address,
// shared by a write (per-bit write mask) and a registered read (rdata_o is valid the cycle
// after re_i); the write address wins when both are asked for, and then rdata_o reads that
// word. Callers write it only while they do not read it (the seq engine's weights: loaded
// while the engine is stopped). ram_style "huge" asks Yosys for the iCE40 UltraPlus
// SB_SPRAM256KA (16K x 16 each); other targets drop the hint (synth/src/flow.cpp) and get
// block RAM.
module prim_ram_sp #(
  parameter int unsigned Width = 16,
  parameter int unsigned Depth = 256,
  localparam int unsigned Aw = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [Aw-1:0]    waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic [Width-1:0] wmask_i,  // 1 = write this bit
  input  logic             re_i,
  input  logic [Aw-1:0]    raddr_i,
  output logic [Width-1:0] rdata_o
);
  (* no_rw_check, ram_style = "huge" *) logic [Width-1:0] mem [Depth];
  logic [Aw-1:0] addr;
  assign addr = we_i ? waddr_i : raddr_i;

  // The masked write spelled for each tool, as in prim_ram_1r1w.
`ifdef VERILATOR
  always_ff @(posedge clk_i) begin
    if (we_i) mem[addr] <= (mem[addr] & ~wmask_i) | (wdata_i & wmask_i);
  end
`else
  always_ff @(posedge clk_i) begin
    if (we_i) begin
      for (int unsigned i = 0; i < Width; i++) begin
        if (wmask_i[i]) mem[addr][i] <= wdata_i[i];
      end
    end
  end
`endif

  always_ff @(posedge clk_i) begin
    if (re_i) rdata_o <= mem[addr];
  end
endmodule
