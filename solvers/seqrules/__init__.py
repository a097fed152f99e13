"""Search for seqrules programs: the cost-ordered rule enumerator (`enumeration`) and the front end
`nesy synth --dsl seqrules` runs (`front_end`). numpy only: no torch here."""
