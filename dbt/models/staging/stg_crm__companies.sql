with

source as (
    select * from {{ source('raw_crm', 'companies') }}
),

renamed as (
    select
        id as crm_company_id,
        nullif(trim(properties__name), '') as company_name,
        nullif(lower(trim(properties__domain)), '') as domain,
        properties__country as country_code,
        properties__lifecyclestage as lifecycle_stage,
        coalesce(archived, false) as is_archived,
        cast(properties__createdate as timestamp) as created_at,
        cast(properties__hs_lastmodifieddate as timestamp) as modified_at
    from source
),

final as (
    select * from renamed
)

select * from final
