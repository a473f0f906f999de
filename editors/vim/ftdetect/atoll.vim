" Atoll source files (docs/language.md). Vim's own filetype.vim calls .atl
" files "atlas"; `set filetype=` (not setfiletype) overrides that.
autocmd BufRead,BufNewFile *.atl set filetype=atoll
