// Constants of the layer-sequential engine (`seq`, rtl/seq/seq_engine.sv): MAC flavours,
// descriptor fields, register map. tb/seq_program.h mirrors these values for the loader.
// Modules use scoped names (seq_hw_pkg::X): Debian's Yosys 0.23 reads no `import`.
package seq_hw_pkg;

  // MAC flavours (parameter MacKind).
  localparam int unsigned MacInt  = 0;  // INT<WBits> weights x ABits activations: multiply
  localparam int unsigned MacXnor = 1;  // 1-bit XNOR-popcount lanes (+ INT<WBits> lanes for int layers)
  localparam int unsigned MacPow2 = 2;  // power-of-two codes {sign, e+1}: shift-add

  // Pass operations (DfCtrl[1:0]).
  localparam logic [1:0] OpMac = 2'd0;  // conv1d / dense: sum of act * w over the chunks
  localparam logic [1:0] OpMax = 2'd1;  // maxpool, lane-wise (padded taps ignored); k=1: copy
  localparam logic [1:0] OpSum = 2'd2;  // gsum, lane-wise
  localparam logic [1:0] OpDw  = 2'd3;  // depthwise conv1d: lane-wise operand word, one tap per
                                        // chunk, MAC against a row whose only nonzero weight is
                                        // in the PE's channel lane

  // Element-wise write-back (DfCtrl[3:2]).
  localparam logic [1:0] EwNone    = 2'd0;
  localparam logic [1:0] EwRequant = 2'd1;
  localparam logic [1:0] EwThresh  = 2'd2;

  // DfCtrl bits.
  localparam int unsigned CtrlBinIn   = 4;  // input words hold 1-bit activations (XNOR lanes)
  localparam int unsigned CtrlBinOut  = 5;  // write 1-bit activations (bit 1 = +1)
  localparam int unsigned CtrlHasBias = 6;  // accumulator starts at the parameter A (bias)
  localparam int unsigned CtrlSigned  = 7;  // input lanes are signed
  localparam int unsigned CtrlIntW    = 8;  // MacXnor engines: INT<WBits> weight lanes

  // Layer-descriptor fields: 16 bits each, DescStride words per pass, read one per cycle.
  localparam int unsigned DfCtrl     = 0;
  localparam int unsigned DfNOg      = 1;   // output groups (ceil(Cout / Pe))
  localparam int unsigned DfCoutLast = 2;   // valid PEs in the last group
  localparam int unsigned DfLout     = 3;   // output positions
  localparam int unsigned DfNChunk   = 4;   // chunks per output: NTap * NCw + NAux
  localparam int unsigned DfNCw      = 5;   // words read per tap (MAC: input words per position; lane-wise: 1)
  localparam int unsigned DfNTapCw   = 6;   // NTap * NCw (chunks before the aux chunks)
  localparam int unsigned DfLastCnt  = 7;   // valid lanes in the last word of a position
  localparam int unsigned DfAuxCnt   = 8;   // valid lanes in the last aux chunk
  localparam int unsigned DfLin      = 9;   // input positions (taps outside 0..Lin-1 are padding)
  localparam int unsigned DfPos0     = 10;  // position of output 0's first tap (-pad_left, signed)
  localparam int unsigned DfStride   = 11;  // position step per output
  localparam int unsigned DfAddr0    = 12;  // word address of output 0's first tap (signed)
  localparam int unsigned DfAStepT   = 13;  // address step per output (stride * words per position)
  localparam int unsigned DfAStepC   = 14;  // address step per chunk (MAC: 1, lane-wise: words per position)
  localparam int unsigned DfGIn      = 15;  // lane-wise: PE groups per input word (Simd / Pe)
  localparam int unsigned DfCWo      = 16;  // output words per position
  localparam int unsigned DfGOut     = 17;  // output groups per output word (lanes / Pe)
  localparam int unsigned DfWBase    = 18;  // first weight row
  localparam int unsigned DfPBase    = 19;  // first parameter entry
  localparam int unsigned DfPadVal   = 20;  // value of padded taps (binary input: bit)
  localparam int unsigned DfLo       = 21;  // requant clamp / threshold outputs (signed)
  localparam int unsigned DfHi       = 22;
  localparam int unsigned NumDf      = 23;
  localparam int unsigned DescAwF    = 5;   // field bits of a descriptor address (32 words per pass)

  // Parameter entry (one per output channel): A (bias, or threshold - bias), mult, shift, dir.
  localparam int unsigned ParABits = 24;
  localparam int unsigned MultBits = 16;
  localparam int unsigned ParW     = ParABits + MultBits + 5 + 1;

  // Pipeline after the counters (S0): memory data -> lane products + adder tree (S1),
  // accumulate (S2), write-back multiply (S3), round (S4), shift (S5), clamp + buffer write (S6).
  // Six stages keep every register-to-register path short enough for the iCE40 UP5K's clock
  // (docs/synth.md); the TLM model's engine.drain_cycles is this value.
  localparam int unsigned DrainCycles = 6;

  // Register/load port: address bits [31:28] select the region.
  localparam logic [3:0] RegionCsr  = 4'd0;  // CSR index in addr[7:0]
  localparam logic [3:0] RegionDesc = 4'd1;  // addr = pass * 32 + field
  localparam logic [3:0] RegionWgt  = 4'd2;  // addr = row << SliceBits | 32-bit slice
  localparam logic [3:0] RegionPar  = 4'd3;  // addr = entry << 1 | slice (0: A, 1: {dir, shift, mult})

  // CSR indices.
  localparam logic [7:0] CsrId        = 8'd0;   // RO: IdValue
  localparam logic [7:0] CsrHwParams  = 8'd1;   // RO: [7:0] Pe, [15:8] Simd, [19:16] MacKind, [23:20] WBits, [28:24] ABits
  localparam logic [7:0] CsrActDepthA = 8'd2;   // RO: words of activation buffer A (input)
  localparam logic [7:0] CsrActDepthB = 8'd3;   // RO
  localparam logic [7:0] CsrWgtRows   = 8'd4;   // RO
  localparam logic [7:0] CsrParDepth  = 8'd5;   // RO
  localparam logic [7:0] CsrDescDepth = 8'd6;   // RO
  localparam logic [7:0] CsrAuxDepth  = 8'd7;   // RO
  localparam logic [7:0] CsrMaxClass  = 8'd8;   // RO
  localparam logic [7:0] CsrAccBits   = 8'd9;   // RO: [7:0] AccBits, [15:8] NumDf, [23:16] DrainCycles
  localparam logic [7:0] CsrCtrl      = 8'd10;  // RW: [0] enable (accept beats)
  localparam logic [7:0] CsrNPass     = 8'd11;  // RW: passes per beat
  localparam logic [7:0] CsrInLen     = 8'd12;  // RW: input samples per beat (L)
  localparam logic [7:0] CsrAuxLen    = 8'd13;  // RW: aux values per beat (A)
  localparam logic [7:0] CsrStatus    = 8'd14;  // RO: [2:0] FSM state, [15:8] current pass
  localparam logic [7:0] CsrBeats     = 8'd15;  // RO: beats completed
  localparam logic [7:0] CsrCycLast   = 8'd16;  // RO: cycles of the last beat (first sample .. output handshake)

  localparam logic [31:0] IdValue = 32'hEC65_0002;

endpackage
