function __campaignctl_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __campaignctl_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __campaignctl_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __campaignctl_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __campaignctl_parse_tokens -S
    set -l unparsed_tokens (__campaignctl_tokens -pc)
    switch $unparsed_tokens[1]
    case 'campaignctl'
        __campaignctl_parse_subcommand 0 'h/help'
        switch $unparsed_tokens[1]
        case 'instance'
            __campaignctl_parse_subcommand 0 'h/help'
            switch $unparsed_tokens[1]
            case 'init'
                __campaignctl_parse_subcommand 1 'home=' 'json' 'h/help'
            case 'list'
                __campaignctl_parse_subcommand 0 'home=' 'json' 'h/help'
            end
        case 'auth'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'config'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'option'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'trigger'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'template'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'profile'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'testprofile'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'denylist'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'account'
            __campaignctl_parse_subcommand 0 'h/help'
        case 'help'
            __campaignctl_parse_subcommand -r 1 
        end
    end
end

function __campaignctl_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __campaignctl_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __campaignctl_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __campaignctl_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__campaignctl_tokens -p)
    if test -z "$(__campaignctl_tokens -t)"
        set -l index (count (__campaignctl_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'campaignctl' -f
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'instance' -d 'Create and list instances.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'auth' -d 'Manage Adobe IMS credentials and bind one to the instance.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'config' -d 'Read, change and check the instance XML config (config-INSTANCE.xml).'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'option' -d 'Read and override instance options such as NmsPipeline_Config.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'trigger' -d 'Create, publish and manage trigger events.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'template' -d 'Edit, check, proof and publish transactional templates.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'profile' -d 'Import and inspect profiles.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'testprofile' -d 'Manage test profiles used for previews and proofs.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'denylist' -d 'Addresses that are never sent to.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'account' -d 'External accounts for delivery (SMPP for SMS).'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl instance" -eq 1' -fa 'init' -d 'Create an instance: its XML config, its store and its instance key.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_positional "campaignctl instance" -eq 1' -fa 'list' -d 'List the instances under the home folder.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance init" home' -l 'home' -d 'The campaignctl home folder (default: $CAMPAIGNCTL_HOME, else ~/.local/share/campaignctl).' -rfa '(__campaignctl_complete_directories)'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance init" json' -l 'json' -d 'Print one JSON document on standard output instead of a table.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance list" home' -l 'home' -d 'The campaignctl home folder (default: $CAMPAIGNCTL_HOME, else ~/.local/share/campaignctl).' -rfa '(__campaignctl_complete_directories)'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance list" json' -l 'json' -d 'Print one JSON document on standard output instead of a table.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl instance list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl auth" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl option" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl trigger" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl template" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl profile" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl testprofile" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl denylist" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'campaignctl' -n '__campaignctl_should_offer_completions_for_flags_or_options "campaignctl account" h help' -s 'h' -l 'help' -d 'Show help information.'
