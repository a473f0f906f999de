" Vim syntax file for Atoll (.atl). The token rules follow the lexer,
" compiler/lex/lex.cpp; tests/editors/vim_syntax_test.py checks them against
" `atoll check --dump=tokens` on the examples and the standard library.
if exists('b:current_syntax')
  finish
endif

" Identifiers contain letters, digits, `_` and `'` (`x'` is one name).
syntax iskeyword a-z,A-Z,48-57,_,'

" Operators first: later rules win where several match at one place, so
" comments, literals and names below take precedence over them.
syntax match atollOperator "\%(\%(--\)\@![!#$%&*+./<=>?@^|~:-]\)\+"
syntax match atollOperator "\\"
syntax match atollDelimiter "[][(),;{}]"

syntax keyword atollConditional if then else case of
syntax keyword atollKeyword let in do where
syntax keyword atollStructure module import data type forall
syntax keyword atollRegionForm runST runIO forkIO parST
syntax keyword atollBuiltinType Int Float Char Bool String List Maybe Result Array Bytes
syntax keyword atollBuiltinType Ref MutableArray MVar Effect Deterministic Nondeterministic
syntax keyword atollBoolean True False

syntax match atollName "\<[a-z_][A-Za-z0-9_']*"
syntax match atollType "\<[A-Z][A-Za-z0-9_']*"
syntax match atollSignature "^[a-z_][A-Za-z0-9_']*\ze\s*:\%([!#$%&*+./<=>?@^|~:-]\)\@!"

syntax match atollNumber "\<\d\%(_\=\d\)*\>"
syntax match atollFloat "\<\d\%(_\=\d\)*\%(\.\d\%(_\=\d\)*\%([eE][+-]\=\d\%(_\=\d\)*\)\=\|[eE][+-]\=\d\%(_\=\d\)*\)\>"
syntax match atollNumber "\<0[xX]\x\%(_\=\x\)*\>"

syntax match atollEscape contained "\\\%([ntr0\\\"']\|u{\x\{1,6}}\)"
syntax match atollBadEscape contained "\\[^ntr0\\\"'u]"
syntax region atollString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ contains=atollEscape,atollBadEscape
syntax match atollChar "\%([A-Za-z0-9_']\)\@1<!'\%([^'\\]\|\\\%([ntr0\\\"']\|u{\x\{1,6}}\)\)'"

" `--` starts a comment anywhere, also inside a run of operator characters.
syntax match atollLineComment "--.*$" contains=@Spell
syntax region atollBlockComment start="{-" end="-}" contains=atollBlockComment,@Spell

highlight default link atollConditional Conditional
highlight default link atollKeyword Keyword
highlight default link atollStructure Structure
highlight default link atollRegionForm Special
highlight default link atollBuiltinType Type
highlight default link atollType Type
highlight default link atollBoolean Boolean
highlight default link atollSignature Function
highlight default link atollNumber Number
highlight default link atollFloat Float
highlight default link atollString String
highlight default link atollChar Character
highlight default link atollEscape SpecialChar
highlight default link atollBadEscape Error
highlight default link atollOperator Operator
highlight default link atollDelimiter Delimiter
highlight default link atollLineComment Comment
highlight default link atollBlockComment Comment

let b:current_syntax = 'atoll'
