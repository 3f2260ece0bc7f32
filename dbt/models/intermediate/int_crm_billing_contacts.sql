-- One row per CRM company that has an active contact with an e-mail: its billing contact,
-- taken to be its earliest active contact.

with

crm_contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

ranked as (
    select
        crm_company_id,
        crm_contact_id,
        email,
        email_normalized,
        row_number() over (
            partition by crm_company_id order by created_at, crm_contact_id
        ) as contact_rank
    from crm_contacts
    where not is_archived and email_normalized is not null and crm_company_id is not null
),

final as (
    select
        crm_company_id,
        crm_contact_id,
        email,
        email_normalized
    from ranked
    where contact_rank = 1
)

select * from final
