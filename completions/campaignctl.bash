#!/bin/bash

__campaignctl_cursor_index_in_current_word() {
    local remaining="${COMP_LINE}"

    local word
    for word in "${COMP_WORDS[@]::COMP_CWORD}"; do
        remaining="${remaining##*([[:space:]])"${word}"*([[:space:]])}"
    done

    local -ir index="$((COMP_POINT - ${#COMP_LINE} + ${#remaining}))"
    if [[ "${index}" -le 0 ]]; then
        printf 0
    else
        printf %s "${index}"
    fi
}

# positional arguments:
#
# - 1: the current (sub)command's count of positional arguments
#
# required variables:
#
# - repeating_flags: the repeating flags that the current (sub)command can accept
# - non_repeating_flags: the non-repeating flags that the current (sub)command can accept
# - repeating_options: the repeating options that the current (sub)command can accept
# - non_repeating_options: the non-repeating options that the current (sub)command can accept
# - positional_number: value ignored
# - unparsed_words: unparsed words from the current command line
#
# modified variables:
#
# - non_repeating_flags: remove flags for this (sub)command that are already on the command line
# - non_repeating_options: remove options for this (sub)command that are already on the command line
# - positional_number: set to the current positional number
# - unparsed_words: remove all flags, options, and option values for this (sub)command
__campaignctl_offer_flags_options() {
    local -ir positional_count="${1}"
    positional_number=0

    local was_flag_option_terminator_seen=false
    local is_parsing_option_value=false

    local -ar unparsed_word_indices=("${!unparsed_words[@]}")
    local -i word_index
    for word_index in "${unparsed_word_indices[@]}"; do
        if "${is_parsing_option_value}"; then
            # This word is an option value:
            # Reset marker for next word iff not currently the last word
            [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]] && is_parsing_option_value=false
            unset "unparsed_words[${word_index}]"
            # Do not process this word as a flag or an option
            continue
        fi

        local word="${unparsed_words["${word_index}"]}"
        if ! "${was_flag_option_terminator_seen}"; then
            case "${word}" in
            --)
                unset "unparsed_words[${word_index}]"
                # by itself -- is a flag/option terminator, but if it is the last word, it is the start of a completion
                if [[ "${word_index}" -ne "${unparsed_word_indices[${#unparsed_word_indices[@]} - 1]}" ]]; then
                    was_flag_option_terminator_seen=true
                fi
                continue
                ;;
            -*)
                # ${word} is a flag or an option
                # If ${word} is an option, mark that the next word to be parsed is an option value
                local option
                for option in "${repeating_options[@]}" "${non_repeating_options[@]}"; do
                    [[ "${word}" = "${option}" ]] && is_parsing_option_value=true && break
                done

                # Remove ${word} from ${non_repeating_flags} or ${non_repeating_options} so it isn't offered again
                local not_found=true
                local -i index
                for index in "${!non_repeating_flags[@]}"; do
                    if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                        unset "non_repeating_flags[${index}]"
                        non_repeating_flags=("${non_repeating_flags[@]}")
                        not_found=false
                        break
                    fi
                done
                if "${not_found}"; then
                    for index in "${!non_repeating_flags[@]}"; do
                        if [[ "${non_repeating_flags[${index}]}" = "${word}" ]]; then
                            unset "non_repeating_flags[${index}]"
                            non_repeating_flags=("${non_repeating_flags[@]}")
                            break
                        fi
                    done
                fi
                unset "unparsed_words[${word_index}]"
                continue
                ;;
            esac
        fi

        # ${word} is neither a flag, nor an option, nor an option value
        if [[ "${positional_number}" -lt "${positional_count}" || "${positional_count}" -lt 0 ]]; then
            # ${word} is a positional
            ((positional_number++))
            unset "unparsed_words[${word_index}]"
        else
            if [[ -z "${word}" ]]; then
                # Could be completing a flag, option, or subcommand
                positional_number=-1
            else
                # ${word} is a subcommand or invalid, so stop processing this (sub)command
                positional_number=-2
            fi
            break
        fi
    done

    unparsed_words=("${unparsed_words[@]}")

    if\
        ! "${was_flag_option_terminator_seen}"\
        && ! "${is_parsing_option_value}"\
        && [[ ("${cur}" = -* && "${positional_number}" -ge 0) || "${positional_number}" -eq -1 ]]
    then
        COMPREPLY+=($(compgen -W "${repeating_flags[*]} ${non_repeating_flags[*]} ${repeating_options[*]} ${non_repeating_options[*]}" -- "${cur}"))
    fi
}

__campaignctl_add_completions() {
    local completion
    while IFS='' read -r completion; do
        COMPREPLY+=("${completion}")
    done < <(IFS=$'\n' compgen "${@}" -- "${cur}")
}

__campaignctl_custom_complete() {
    if [[ -n "${cur}" || -z ${COMP_WORDS[${COMP_CWORD}]} || "${COMP_LINE:${COMP_POINT}:1}" != ' ' ]]; then
        local -ar words=("${COMP_WORDS[@]}")
    else
        local -ar words=("${COMP_WORDS[@]::${COMP_CWORD}}" '' "${COMP_WORDS[@]:${COMP_CWORD}}")
    fi

    "${COMP_WORDS[0]}" "${@}" "${words[@]}"
}

_campaignctl() {
    local state
    state="$(shopt -p;shopt -po)"
    trap "${state//$'\n'/;}" RETURN
    shopt -s extglob
    set +o history +o posix

    local -xr SAP_SHELL=bash
    local -x SAP_SHELL_VERSION
    SAP_SHELL_VERSION="$(IFS='.';printf %s "${BASH_VERSINFO[*]}")"
    local -r SAP_SHELL_VERSION

    local -r cur="${2}"
    local -r prev="${3}"

    local -i positional_number
    local -a unparsed_words=("${COMP_WORDS[@]:1:${COMP_CWORD}}")

    local -a repeating_flags=()
    local -a non_repeating_flags=(-h --help)
    local -a repeating_options=()
    local -a non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    instance|auth|config|option|trigger|template|profile|testprofile|denylist|account|events|pipeline|pipelined|quickstart|bench|help)
        # Offer subcommand argument completions
        "_campaignctl_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'instance auth config option trigger template profile testprofile denylist account events pipeline pipelined quickstart bench help' -- "${cur}"))
        ;;
    esac
}

_campaignctl_instance() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    init|list)
        # Offer subcommand argument completions
        "_campaignctl_instance_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'init list' -- "${cur}"))
        ;;
    esac
}

_campaignctl_instance_init() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    esac
}

_campaignctl_instance_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    esac
}

_campaignctl_auth() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|show|remove|test|token|use|rotate-key)
        # Offer subcommand argument completions
        "_campaignctl_auth_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list show remove test token use rotate-key' -- "${cur}"))
        ;;
    esac
}

_campaignctl_auth_add() {
    repeating_flags=()
    non_repeating_flags=(--replace --json -h --help)
    repeating_options=()
    non_repeating_options=(--type --org-id --client-id --client-secret-file --scopes --ims-endpoint --technical-account-id --private-key-file --private-key-base64-file --metascope --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--type')
        __campaignctl_add_completions -W 'oauth'$'\n''jwt'
        return
        ;;
    '--org-id')
        return
        ;;
    '--client-id')
        return
        ;;
    '--client-secret-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--scopes')
        return
        ;;
    '--ims-endpoint')
        return
        ;;
    '--technical-account-id')
        return
        ;;
    '--private-key-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--private-key-base64-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--metascope')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_remove() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_test() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--timeout --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--timeout')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_token() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--timeout --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--timeout')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_use() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_auth_rotate-key() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    show|get|set|unset|validate|reload|seal)
        # Offer subcommand argument completions
        "_campaignctl_config_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'show get set unset validate reload seal' -- "${cur}"))
        ;;
    esac
}

_campaignctl_config_show() {
    repeating_flags=()
    non_repeating_flags=(--effective --json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config_get() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config_set() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 2

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config_unset() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config_validate() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config_reload() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_config_seal() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--secret-file --home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--secret-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_option() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    get|set)
        # Offer subcommand argument completions
        "_campaignctl_option_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'get set' -- "${cur}"))
        ;;
    esac
}

_campaignctl_option_get() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_option_set() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--file --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--file')
        __campaignctl_add_completions -f
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    create|list|show|edit|delete|publish|unpublish|report)
        # Offer subcommand argument completions
        "_campaignctl_trigger_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'create list show edit delete publish unpublish report' -- "${cur}"))
        ;;
    esac
}

_campaignctl_trigger_create() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--field)
    non_repeating_options=(--label --trigger-id --validity --email-field --phone-field --reconcile --channel --targeting --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--label')
        return
        ;;
    '--trigger-id')
        return
        ;;
    '--validity')
        return
        ;;
    '--field')
        return
        ;;
    '--email-field')
        return
        ;;
    '--phone-field')
        return
        ;;
    '--reconcile')
        return
        ;;
    '--channel')
        return
        ;;
    '--targeting')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_edit() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--field)
    non_repeating_options=(--label --trigger-id --validity --email-field --phone-field --reconcile --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--label')
        return
        ;;
    '--trigger-id')
        return
        ;;
    '--validity')
        return
        ;;
    '--field')
        return
        ;;
    '--email-field')
        return
        ;;
    '--phone-field')
        return
        ;;
    '--reconcile')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_delete() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_publish() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_unpublish() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_trigger_report() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance --days)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    '--days')
        return
        ;;
    esac
}

_campaignctl_template() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    edit|show|history|check|preview|proof|proofs|publish|pause|resume|unpublish)
        # Offer subcommand argument completions
        "_campaignctl_template_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'edit show history check preview proof proofs publish pause resume unpublish' -- "${cur}"))
        ;;
    esac
}

_campaignctl_template_edit() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--subject --from --reply-to --html-file --text-file --sms-text-file --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--subject')
        return
        ;;
    '--from')
        return
        ;;
    '--reply-to')
        return
        ;;
    '--html-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--text-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--sms-text-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--version --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--version')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_history() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_check() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_preview() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--test-profile --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--test-profile')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_proof() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--to)
    non_repeating_options=(--label-prefix --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--to')
        return
        ;;
    '--label-prefix')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_proofs() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_publish() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_pause() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_resume() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_template_unpublish() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_profile() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    import|list|show|delete)
        # Offer subcommand argument completions
        "_campaignctl_profile_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'import list show delete' -- "${cur}"))
        ;;
    esac
}

_campaignctl_profile_import() {
    repeating_flags=()
    non_repeating_flags=(--skip-invalid --json -h --help)
    repeating_options=()
    non_repeating_options=(--format --key --reject-file --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--format')
        __campaignctl_add_completions -W 'csv'$'\n''jsonl'
        return
        ;;
    '--key')
        __campaignctl_add_completions -W 'email'$'\n''phone'$'\n''mcId'$'\n''visitorId'$'\n''customerId'
        return
        ;;
    '--reject-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac

    # Offer positional completions
    case "${positional_number}" in
    1)
        __campaignctl_add_completions -o plusdirs -fX '!*.@(csv|jsonl|ndjson)'
        return
        ;;
    esac
}

_campaignctl_profile_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--limit --home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--limit')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_profile_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--by --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--by')
        __campaignctl_add_completions -W 'email'$'\n''phone'$'\n''mcId'$'\n''visitorId'$'\n''customerId'
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_profile_delete() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--email --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--email')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_testprofile() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|show|remove)
        # Offer subcommand argument completions
        "_campaignctl_testprofile_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list show remove' -- "${cur}"))
        ;;
    esac
}

_campaignctl_testprofile_add() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--email --phone --event-data --trigger --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--email')
        return
        ;;
    '--phone')
        return
        ;;
    '--event-data')
        __campaignctl_add_completions -o plusdirs -fX '!*.@(json)'
        return
        ;;
    '--trigger')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_testprofile_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_testprofile_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_testprofile_remove() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_denylist() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|remove|list)
        # Offer subcommand argument completions
        "_campaignctl_denylist_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add remove list' -- "${cur}"))
        ;;
    esac
}

_campaignctl_denylist_add() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--reason --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--reason')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_denylist_remove() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_denylist_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_account() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    add|list|show|remove|test)
        # Offer subcommand argument completions
        "_campaignctl_account_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'add list show remove test' -- "${cur}"))
        ;;
    esac
}

_campaignctl_account_add() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    sms)
        # Offer subcommand argument completions
        "_campaignctl_account_add_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'sms' -- "${cur}"))
        ;;
    esac
}

_campaignctl_account_add_sms() {
    repeating_flags=()
    non_repeating_flags=(--registered-delivery --replace --json -h --help)
    repeating_options=()
    non_repeating_options=(--smpp --system-id --password-file --system-type --source-address --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--smpp')
        return
        ;;
    '--system-id')
        return
        ;;
    '--password-file')
        __campaignctl_add_completions -f
        return
        ;;
    '--system-type')
        return
        ;;
    '--source-address')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_account_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_account_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_account_remove() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_account_test() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--timeout --home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--timeout')
        return
        ;;
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_events() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    list|show|retry|purge)
        # Offer subcommand argument completions
        "_campaignctl_events_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'list show retry purge' -- "${cur}"))
        ;;
    esac
}

_campaignctl_events_list() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance --status --trigger --since --limit)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    '--status')
        __campaignctl_add_completions -W 'pending'$'\n''processing'$'\n''paused'$'\n''processed'$'\n''ignored'$'\n''deliveryFailed'$'\n''routingFailed'$'\n''tooOld'$'\n''targetingFailed'
        return
        ;;
    '--trigger')
        return
        ;;
    '--since')
        return
        ;;
    '--limit')
        return
        ;;
    esac
}

_campaignctl_events_show() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_events_retry() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance --status)
    __campaignctl_offer_flags_options -1

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    '--status')
        __campaignctl_add_completions -W 'pending'$'\n''processing'$'\n''paused'$'\n''processed'$'\n''ignored'$'\n''deliveryFailed'$'\n''routingFailed'$'\n''tooOld'$'\n''targetingFailed'
        return
        ;;
    esac
}

_campaignctl_events_purge() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance --older-than-days)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    '--older-than-days')
        return
        ;;
    esac
}

_campaignctl_pipeline() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    emulate)
        # Offer subcommand argument completions
        "_campaignctl_pipeline_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'emulate' -- "${cur}"))
        ;;
    esac
}

_campaignctl_pipeline_emulate() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=(--accept)
    non_repeating_options=(--home --instance --port --generate --rate --partitions --trigger-id --seed --profiles --file --topic --drop-every --unauthorized-first --server-error-first --garbage-every --ping-interval)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    '--accept')
        return
        ;;
    '--port')
        return
        ;;
    '--generate')
        return
        ;;
    '--rate')
        return
        ;;
    '--partitions')
        return
        ;;
    '--trigger-id')
        return
        ;;
    '--seed')
        return
        ;;
    '--profiles')
        __campaignctl_add_completions -o plusdirs -fX '!*.@(csv)'
        return
        ;;
    '--file')
        __campaignctl_add_completions -f
        return
        ;;
    '--topic')
        return
        ;;
    '--drop-every')
        return
        ;;
    '--unauthorized-first')
        return
        ;;
    '--server-error-first')
        return
        ;;
    '--garbage-every')
        return
        ;;
    '--ping-interval')
        return
        ;;
    esac
}

_campaignctl_pipelined() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    run|status)
        # Offer subcommand argument completions
        "_campaignctl_pipelined_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'run status' -- "${cur}"))
        ;;
    esac
}

_campaignctl_pipelined_run() {
    repeating_flags=()
    non_repeating_flags=(--verbose --ingest-only -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance --log-format)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    '--log-format')
        __campaignctl_add_completions -W 'text'$'\n''json'
        return
        ;;
    esac
}

_campaignctl_pipelined_status() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--home --instance)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--instance')
        return
        ;;
    esac
}

_campaignctl_quickstart() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=(--home --triggers --rate --profiles)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--home')
        __campaignctl_add_completions -d
        return
        ;;
    '--triggers')
        return
        ;;
    '--rate')
        return
        ;;
    '--profiles')
        return
        ;;
    esac
}

_campaignctl_bench() {
    repeating_flags=()
    non_repeating_flags=(-h --help)
    repeating_options=()
    non_repeating_options=()
    __campaignctl_offer_flags_options 0

    # Offer subcommand / subcommand argument completions
    local -r subcommand="${unparsed_words[0]}"
    unset 'unparsed_words[0]'
    unparsed_words=("${unparsed_words[@]}")
    case "${subcommand}" in
    storage-ceiling|delivery-ceiling)
        # Offer subcommand argument completions
        "_campaignctl_bench_${subcommand}"
        ;;
    *)
        # Offer subcommand completions
        COMPREPLY+=($(compgen -W 'storage-ceiling delivery-ceiling' -- "${cur}"))
        ;;
    esac
}

_campaignctl_bench_storage-ceiling() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--store --rows --batch)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--store')
        __campaignctl_add_completions -f
        return
        ;;
    '--rows')
        return
        ;;
    '--batch')
        return
        ;;
    esac
}

_campaignctl_bench_delivery-ceiling() {
    repeating_flags=()
    non_repeating_flags=(--json -h --help)
    repeating_options=()
    non_repeating_options=(--relay --message-file --messages --connections --client)
    __campaignctl_offer_flags_options 0

    # Offer option value completions
    case "${prev}" in
    '--relay')
        return
        ;;
    '--message-file')
        __campaignctl_add_completions -o plusdirs -fX '!*.@(eml)'
        return
        ;;
    '--messages')
        return
        ;;
    '--connections')
        return
        ;;
    '--client')
        __campaignctl_add_completions -W 'libcurl'$'\n''pipelined'
        return
        ;;
    esac
}

_campaignctl_help() {
    :
}

complete -o filenames -F _campaignctl campaignctl
